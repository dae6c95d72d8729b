// The pool's preflight (serve's start, and `doctor`): one cheap request per provider that costs no tokens and
// proves its key is taken, so a provider with bad credentials is failed before any round is spent on it.
// anthropic: POST /v1/messages/count_tokens (free); openai and openai-compatible: GET /models; gemini: GET
// /v1beta/models. Only a refusal of the credential (401, 403) fails a provider: a network error, a timeout or
// a server error proves nothing, and the rounds find out. The key goes only into the request's header.

export interface CheckTarget {
  kind: string;
  baseUrl: string | null;
  apiKey: string | null;
}

export type CheckResult = { ok: true; detail: string } | { ok: false; why: string } | { ok: null; detail: string };

const DEFAULT_BASE: Record<string, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
};

/** How long the check waits for an answer before it calls the provider unknown. */
export const CHECK_TIMEOUT_MS = 10_000;

/** The request that checks a provider's key; null when there is no key to check (the CLI's own login). Pure. */
export function checkRequest(t: CheckTarget): { url: string; init: RequestInit } | null {
  if (!t.apiKey) return null;
  const base = (t.baseUrl ?? DEFAULT_BASE[t.kind] ?? '').replace(/\/+$/, '');
  if (!base) return null; // openai-compatible without a base_url: nothing to ask
  if (t.kind === 'anthropic') {
    // a `claude setup-token` token is a bearer; any other key goes in x-api-key, as Claude Code sends them
    const auth: Record<string, string> = /^sk-ant-oat/.test(t.apiKey)
      ? { authorization: `Bearer ${t.apiKey}`, 'anthropic-beta': 'oauth-2025-04-20' }
      : { 'x-api-key': t.apiKey };
    return {
      url: `${base}/v1/messages/count_tokens`,
      init: {
        method: 'POST',
        headers: { ...auth, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'ping' }] }),
      },
    };
  }
  if (t.kind === 'gemini') return { url: `${base}/v1beta/models?pageSize=1`, init: { method: 'GET', headers: { 'x-goog-api-key': t.apiKey } } };
  return { url: `${base}/models`, init: { method: 'GET', headers: { authorization: `Bearer ${t.apiKey}` } } };
}

/** What an answer says of the credential. Pure. */
export function judge(status: number): CheckResult {
  if (status === 401 || status === 403) return { ok: false, why: `the provider refused the key (HTTP ${status})` };
  if (status >= 200 && status < 300) return { ok: true, detail: `HTTP ${status}` };
  // 400 (a model name it does not know), 404 (a gateway without the route), 429, 5xx: the key may be fine
  return { ok: null, detail: `HTTP ${status}: proves nothing about the key` };
}

/** Asks the provider once. Never throws, never says the key. */
export async function checkProvider(t: CheckTarget, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckResult> {
  const req = checkRequest(t);
  if (!req) return { ok: null, detail: t.apiKey ? 'no base_url to ask' : "the CLI's own login: not checked" };
  try {
    const res = await fetch(req.url, { ...req.init, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.body?.cancel().catch(() => {});
    return judge(res.status);
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : (err.cause?.code ?? err.name);
    return { ok: null, detail: `cannot reach ${new URL(req.url).host}: ${why}` };
  }
}
