// The text patterns the classifier falls back on once the structured facts (exit codes, JSON events) have
// said nothing: the shared table, which every CLI's output goes through, and the merge with each CLI's own
// (AgentAdapter.patterns). DATA: order is priority (first match wins), each entry carries an example the
// unit tests run through. Other CLI versions word the same failure differently, so patterns are about the
// failure, not about one version's bytes.
import type { Category } from '../state/types.js';
import type { OutputPattern } from './types.js';

export type { OutputPattern } from './types.js';

/**
 * Categories in priority order. Usage limits first: they arrive as 429s and as "rate limit" wording, and
 * they mean "wait for the reset".
 */
export const PATTERN_CATEGORIES: readonly Category[] = ['usage_limit', 'quota', 'model_not_found', 'agent_config', 'auth', 'rate_limit', 'upstream_error', 'network', 'missing_binary'];

export const SHARED_PATTERNS: readonly OutputPattern[] = [
  {
    name: 'hit-your-limit',
    category: 'usage_limit',
    re: /\bhit (?:your|the) (?:usage |weekly |session |daily |monthly )?limit\b/i,
    example: 'You’ve hit your usage limit. Upgrade to Pro or try again at Nov 21st, 2026 2:57 AM.',
  },
  {
    name: 'usage-limit',
    category: 'usage_limit',
    re: /\busage[ _]limit(?:s)?(?:[ _]reached| exceeded| hit)?\b|\busage_limit_reached\b/i,
    example: 'Claude usage limit reached. Your limit will reset at 5pm (America/Chicago).',
  },
  {
    name: 'window-limit-reached',
    category: 'usage_limit',
    re: /\b(?:weekly|session|5-hour|five[ -]hour|daily|monthly|opus|sonnet) limit (?:reached|exceeded|hit)\b/i,
    example: 'Weekly limit reached ∙ resets Oct 9, 3pm (Europe/Warsaw)',
  },
  {
    name: 'out-of-usage',
    category: 'usage_limit',
    re: /\bout of (?:extra )?usage\b/i,
    example: "You're out of extra usage · resets 9pm (UTC)",
  },
  {
    // spent credit or quota: quota, unless the same words come with a time to retry (a daily quota: usage_limit)
    name: 'credit-balance',
    category: 'quota',
    re: /\bcredit balance is too low\b|\binsufficient[_ ](?:quota|credits?|funds)\b|\bexceeded your current quota\b|\bbilling_error\b|\bquota exceeded\. check your plan and billing\b/i,
    example: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing.',
  },
  {
    name: 'model-unknown',
    category: 'model_not_found',
    re: /\bissue with the selected model\b|\bthe model `[^`]+` does not exist\b|\bModelNotFoundError\b|\bmodel_not_found\b|\bmodels\/\S+ is not found\b|\bmodel: \S+ (?:is )?not found\b/i,
    example: 'The model `gpt-5.5` does not exist or you do not have access to it.',
  },

  {
    name: 'not-logged-in',
    category: 'auth',
    re: /\bnot logged in\b|\bplease run \/login\b|\bnot signed in\b|\bplease (?:log|sign) ?in again\b/i,
    example: 'Not logged in · Please run /login',
  },
  {
    name: 'invalid-api-key',
    category: 'auth',
    re: /\b(?:invalid|incorrect|bad|expired|revoked) (?:x-)?api[ _-]?key\b|\bapi[ _-]?key (?:is )?(?:invalid|incorrect|expired|revoked|not valid)\b/i,
    example: 'Invalid API key · Fix external API key',
  },
  {
    name: 'missing-api-key',
    category: 'auth',
    re: /\b(?:missing|no) api[ _-]?key\b|\bapi[ _-]?key (?:is )?(?:missing|not set|not found|not configured|required)\b/i,
    example: 'Error: Missing API key. Set OPENAI_API_KEY or run codex login.',
  },
  {
    name: 'authentication-error',
    category: 'auth',
    re: /\bauthentication_(?:error|failed)\b|\b(?:failed to authenticate|authentication (?:failed|failure|required|error))\b/i,
    example: 'Failed to authenticate. API Error: 401 {"type":"error","error":{"type":"authentication_error"}}',
  },
  {
    name: 'oauth-token-expired',
    category: 'auth',
    re: /\bOAuth token (?:has )?(?:expired|been revoked|is invalid)\b|\binvalid_grant\b|\brefresh token (?:has )?(?:expired|been revoked|is invalid)\b/i,
    example: 'API Error: OAuth token has expired. Please obtain a new token or refresh your existing token.',
  },
  {
    name: 'http-401-403',
    category: 'auth',
    re: /\b40[13] (?:Unauthorized|Forbidden)\b|\bAPI Error: 40[13]\b|\b(?:status|code)[ :=]{1,3}40[13]\b|\bpermission_error\b/i,
    example: 'ERROR: unexpected status 401 Unauthorized: Incorrect API key provided: sk-inval*****.',
  },

  {
    name: 'http-429',
    category: 'rate_limit',
    re: /\b429 Too Many Requests\b|\bToo Many Requests\b|\((?:status )?429\)|\bAPI Error: 429\b|\b(?:status|code)[ :=]{1,3}429\b/i,
    example: 'API Error: Request rejected (429) · Error',
  },
  {
    name: 'rate-limit',
    category: 'rate_limit',
    re: /\brate[ _-]?limit(?:ed|_error|_exceeded)?\b|\brate limit (?:exceeded|reached)\b/i,
    example: 'rate_limit_error: Number of request tokens has exceeded your per-minute rate limit. Please try again in 20s.',
  },

  {
    name: 'overloaded',
    category: 'upstream_error',
    re: /\boverloaded_error\b|\bAPI Error: 529\b|\b529\b.{0,40}\boverloaded\b|\b(?:API|server|service|model) (?:is )?(?:currently |temporarily )?overloaded\b/i,
    example: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  },
  {
    name: 'http-5xx',
    category: 'upstream_error',
    re: /\b(?:500 Internal Server Error|502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b|\bAPI Error: 5\d\d\b|\b(?:status|code)[ :=]{1,3}5\d\d\b|\bapi_error\b|\bserver_error\b|\binternal server error\b|\bservice unavailable\b/i,
    example: 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
  },
  {
    name: 'http-408',
    category: 'upstream_error',
    re: /\b408 Request Time-?out\b|\bAPI Error: 408\b|\b(?:status|code)[ :=]{1,3}408\b/i,
    example: 'unexpected status 408 Request Timeout',
  },

  {
    name: 'dns',
    category: 'network',
    re: /\bfailed to lookup address information\b|\bgetaddrinfo\b|\bENOTFOUND\b|\bEAI_AGAIN\b|\bName does not resolve\b|\bName or service not known\b|\bTemporary failure in name resolution\b|\bCould not resolve host\b/i,
    example: 'stream disconnected before completion: failed to lookup address information: Name does not resolve',
  },
  {
    name: 'connection',
    category: 'network',
    re: /\bECONNREFUSED\b|\bECONNRESET\b|\bETIMEDOUT\b|\bEHOSTUNREACH\b|\bENETUNREACH\b|\bsocket hang up\b|\bconnection (?:refused|reset|timed out)\b|\bnetwork is unreachable\b|\bno route to host\b/i,
    example: 'Error: connect ECONNREFUSED 127.0.0.1:443',
  },
  {
    name: 'connection-failed',
    category: 'network',
    re: /\bwaiting for network\b|\berror sending request\b|\bstream disconnected\b|\bUnable to connect to (?:the )?(?:API|Anthropic|OpenAI)\b|\bConnection error\b|\bfetch failed\b|\bRequest timed out\b/i,
    example: 'Reconnecting... waiting for network (Connection failed: error sending request)',
  },

  // usually caught by exit 127 first; these are for wrappers (npx, env) that exit with something else
  {
    name: 'command-not-found',
    category: 'missing_binary',
    re: /\b(?:sh|bash|zsh|dash|env|timeout|nohup|exec)(?:: line \d+|: \d+)?: .{1,80}?(?:command not found|: not found|No such file or directory)|\bcould not determine executable to run\b/i,
    example: 'sh: 1: codex: not found',
  },
];

/** One table: category by category, each CLI's own patterns (in registry order) before the shared ones. */
export function mergePatterns(own: ReadonlyArray<readonly OutputPattern[]>): OutputPattern[] {
  const all = [...own.flat(), ...SHARED_PATTERNS];
  const stray = all.find((p) => !PATTERN_CATEGORIES.includes(p.category));
  if (stray) throw new Error(`pattern ${stray.name}: category ${stray.category} is not in PATTERN_CATEGORIES`);
  return PATTERN_CATEGORIES.flatMap((c) => all.filter((p) => p.category === c));
}
