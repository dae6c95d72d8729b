// Secrets out of anything we write or show: reasons, event payloads, log excerpts, snapshots. Pure, but for
// the exact values a round resolved (addExactSecrets), which this process redacts wherever it writes.
// Every regex is linear: single character classes with bounded or unambiguous repetition, no nested
// quantifiers over overlapping classes. Idempotent: redacting redacted text changes nothing.

export const REDACTED = '[REDACTED]';

/** A name that holds a secret: FOO_KEY, GITHUB_TOKEN, client_secret, password, apiKey, x-api-key …
 * Case variants are spelled out (no `i` flag) so that camelCase `fooKey` does not also match "monkey";
 * every repetition is bounded so a long dotted identifier costs linear time. */
const WORDS = 'api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|refresh_?token|token|secret|password|passwd|credentials?';
const SECRET_NAME =
  `(?:[A-Za-z0-9]{1,64}[_.-]){0,8}` +
  `(?:[A-Za-z0-9]{0,64}(?:${WORDS}|${WORDS.toUpperCase()})` +
  `|[A-Za-z0-9]{1,64}[_.-](?:key|KEY|Key)` +
  `|[a-z0-9]{1,64}(?:Key|Token|Secret|Password)|Token|Secret|Password|Passwd|ApiKey` +
  // PascalCase, as AWS prints it: SecretAccessKey, SessionToken, ClientSecret
  `|(?:[A-Z][a-z0-9]{1,32}){1,4}(?:Key|Token|Secret|Password))`;

interface Rule {
  name: string;
  re: RegExp;
  to: string | ((...m: string[]) => string);
  /**
   * Cheap and true of any text the rule can match (a word or sign every match holds): where it is false the
   * rule's regex is not run. V8 compiles a regex on its first run, ~0.25 ms for each of these, and most texts
   * (a round's reason, a snapshot's fields) hold none of the signs: a `peek` or a round would pay ~4.5 ms to
   * compile rules that cannot match. A test checks each hint against every text its rule redacts.
   */
  may: (t: string) => boolean;
}

/** every SECRET_NAME holds one of these, in some case */
const NAME_WORD = /key|token|secret|passw|credential/i;
const named = (t: string) => NAME_WORD.test(t);

const RULES: readonly Rule[] = [
  {
    // a whole PEM private key block; a tail may hold only its beginning
    name: 'pem-private-key',
    may: (t) => t.includes('-----BEGIN '),
    // (inside a JSON string the line breaks are \n escapes)
    re: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----|(?:[A-Za-z0-9+/=\s]|\\[nr])*)/g,
    to: `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`,
  },
  {
    // a line of a key's body on its own (a tail that starts inside the block, one line per event):
    // PEM wraps base64 at 64 columns, OpenSSH at 70, `base64` at 76
    name: 'pem-body-line',
    may: (t) => t.includes('-----END ') || /[A-Za-z0-9+/]{60}/.test(t),
    // …and the short last line of the body, right before the END line
    re: /^[A-Za-z0-9+/]{60,80}={0,2}\r?$|^[A-Za-z0-9+/]{1,80}={0,2}(?=\r?\n-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)/gm,
    to: REDACTED,
  },
  {
    // https://user:pass@host → https://[REDACTED]@host
    name: 'url-credentials',
    may: (t) => t.includes('://') && t.includes('@'),
    re: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)[^\s:@/'"<>]{1,256}:[^\s@/'"<>]{1,256}@/gi,
    to: (_m, scheme) => `${scheme}${REDACTED}@`,
  },
  {
    name: 'json-secret-field',
    may: (t) => t.includes('"') && t.includes(':') && named(t),
    re: new RegExp(`("${SECRET_NAME}"\\s*:\\s*")(?:[^"\\\\\\n]|\\\\.){1,4096}(")`, 'g'),
    to: (_m, head, tail) => `${head}${REDACTED}${tail}`,
  },
  {
    // the same inside a JSON string (a tool's JSON output quoted in a stream-json line): \"NAME\": \"value\"
    name: 'escaped-json-secret-field',
    may: (t) => t.includes('\\"') && named(t),
    re: new RegExp(`(\\\\"${SECRET_NAME}\\\\"\\s*:\\s*\\\\")[^"\\\\\\n]{1,4096}(\\\\")`, 'g'),
    to: (_m, head, tail) => `${head}${REDACTED}${tail}`,
  },
  {
    // NAME=value, NAME = "value", export NAME='value' (env, TOML, .ini); shell references ($X) are kept
    name: 'secret-assignment',
    may: (t) => t.includes('=') && named(t),
    re: new RegExp(`\\b(${SECRET_NAME})(\\s{0,3}=\\s{0,3})("[^"\\n]{1,4096}"|'[^'\\n]{1,4096}'|[^\\s"'$,;&|)]{1,4096})`, 'g'),
    // a value already starting with the marker was redacted by an earlier pass (idempotence)
    to: (m, name, eq, value) => (value.startsWith(REDACTED) ? m : `${name}${eq}${REDACTED}`),
  },
  {
    // NAME: value (YAML, printed environments, HTTP headers like X-Auth-Token); a value with a digit, so that
    // prose ("Token: see below") stays
    name: 'secret-colon',
    may: (t) => t.includes(':') && named(t),
    re: new RegExp(`\\b(${SECRET_NAME})(:[ \\t]{1,3})(?=[^\\s"',;]{0,4096}[0-9])([^\\s"',;]{6,4096})`, 'g'),
    to: (m, name, sep, value) => (value.startsWith(REDACTED) ? m : `${name}${sep}${REDACTED}`),
  },
  {
    name: 'api-key-header',
    may: (t) => /api-key/i.test(t),
    re: /\b((?:x-)?(?:goog-)?api-key\s*:\s*)[^\s"',;]{6,}/gi,
    to: (_m, head) => `${head}${REDACTED}`,
  },
  {
    name: 'authorization-header',
    may: (t) => /authorization/i.test(t),
    re: /\b(authorization["']?\s{0,3}[:=]\s{0,3}["']?(?:basic|token|bearer)?\s{0,3})(?=[^\s"',;[]{0,200}[0-9=+/])[^\s"',;[]{8,}/gi,
    to: (_m, head) => `${head}${REDACTED}`,
  },
  {
    // a bearer token has digits; "Bearer authentication" in prose does not
    name: 'bearer',
    may: (t) => /bearer/i.test(t),
    re: /\b(bearer)(\s+)(?=[A-Za-z._~+/=-]{0,200}[0-9])[A-Za-z0-9._~+/=-]{8,}/gi,
    to: (_m, kind, sp) => `${kind}${sp}${REDACTED}`,
  },
  {
    // Anthropic (sk-ant-api03-…, sk-ant-oat01-…), OpenAI (sk-proj-…, sk-svcacct-…, sk-admin-…, legacy sk-…)
    name: 'sk-key',
    may: (t) => t.includes('sk-'),
    re: /\bsk-(?:ant|proj|svcacct|admin)-[A-Za-z0-9_-]{4,}|\bsk-[A-Za-z0-9]{20,}[A-Za-z0-9_-]*/g,
    to: REDACTED,
  },
  { name: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, to: REDACTED, may: (t) => t.includes('gh') || t.includes('github_pat_') },
  { name: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g, to: REDACTED, may: (t) => t.includes('xox') },
  { name: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g, to: REDACTED, may: (t) => /A(?:KIA|SIA|GPA|IDA|ROA)/.test(t) },
  { name: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}/g, to: REDACTED, may: (t) => t.includes('AIza') },
  { name: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g, to: REDACTED, may: (t) => t.includes('npm_') },
  { name: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{30,}\b/g, to: REDACTED, may: (t) => t.includes('hf_') },
  { name: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, to: REDACTED, may: (t) => t.includes('eyJ') },
];

/** Names of the rules, in the order they apply (for docs and tests). */
export const REDACTION_RULES: readonly string[] = RULES.map((r) => r.name);

/**
 * Secret values this process resolved (a provider's key, src/round/provider.ts), each with its JSON- and
 * URL-escaped forms, longest first: redacted by exact match before the patterns, wherever redact() runs.
 */
let exact: string[] = [];
/** below this length a value would match ordinary text: such a key is too weak to hide anyway */
const EXACT_MIN = 8;

/** Adds secret values to the exact-match list (this process, for good). */
export function addExactSecrets(values: readonly string[]): void {
  const forms = values.filter((v) => v.length >= EXACT_MIN).flatMap((v) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v), JSON.stringify(JSON.stringify(v)).slice(3, -3)]);
  exact = [...new Set([...exact, ...forms])].sort((a, b) => b.length - a.length);
}

/** The exact values and their escaped forms, longest first (the round log's writer redacts with them too). */
export function exactSecrets(): readonly string[] {
  return exact;
}

/** Every exact secret value (and escaped form) in the text replaced by the marker. */
export function redactExact(text: string): string {
  let out = text;
  for (const v of exact) if (out.includes(v)) out = out.split(v).join(REDACTED);
  return out;
}

export function redact(text: string): string {
  let out = unescapeNameChars(exact.length ? redactExact(text) : text);
  for (const r of RULES) {
    if (!r.may(out)) continue;
    r.re.lastIndex = 0;
    out = typeof r.to === 'string' ? out.replace(r.re, r.to) : out.replace(r.re, r.to as (...m: string[]) => string);
  }
  return blankOrphanKeyBodies(out);
}

/**
 * `"\u0061pi_key"` is `"api_key"` to any JSON reader, but not to the rules: a \u escape of a letter, a digit,
 * `_` or `-` becomes the character itself (the JSON means the same), so the name rules see the name. An
 * escaped backslash (`\\u0061`, an even run before the `u`) is left alone: it is not an escape.
 */
const NAME_CHAR_ESCAPE = /(?<!\\)((?:\\\\)*)\\u00(3[0-9]|4[1-9a-fA-F]|5[0-9aA]|6[1-9a-fA-F]|7[0-9aA]|5[fF]|2[dD])/g;
function unescapeNameChars(text: string): string {
  if (!text.includes('\\u00')) return text;
  return text.replace(NAME_CHAR_ESCAPE, (_m, slashes: string, hex: string) => slashes + String.fromCharCode(parseInt(hex, 16)));
}

const KEY_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
const BASE64_LINE = /^[A-Za-z0-9+/=]{1,120}\r?$/;
/**
 * A private key's END line whose BEGIN is not in the text (a tail that starts inside the key): the base64
 * lines right above it are its body, whatever their width, and are blanked up to the first other line.
 * Each line is looked at once: a walk back never passes the previous END.
 */
function blankOrphanKeyBodies(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let out = '';
  let done = 0; // text before this offset is already in `out`
  KEY_END.lastIndex = 0;
  for (let m = KEY_END.exec(text); m; m = KEY_END.exec(text)) {
    let start = m.index;
    while (start > done && text[start - 1] === '\n') {
      const lineStart = text.lastIndexOf('\n', start - 2) + 1;
      const line = text.slice(lineStart, start - 1);
      // a line an earlier rule blanked (the short last one) is part of the body too
      if (lineStart < done || !(BASE64_LINE.test(line) || line === REDACTED)) break;
      start = lineStart;
    }
    if (start < m.index) out += text.slice(done, start) + `${REDACTED}\n`;
    else out += text.slice(done, m.index);
    done = m.index;
  }
  return out + text.slice(done);
}

const SECRET_KEY = new RegExp(`^${SECRET_NAME}$`);
// the bare name "key" alone is a secret in a JSON object ({ key: "…" } of an API client config)
const isSecretKey = (k: string): boolean => SECRET_KEY.test(k) || /^(?:key|apikey|api_key)$/i.test(k);

/** redact() through a JSON-like value: every string, and every value under a secret-looking key. */
export function redactDeep(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return '[Circular]';
    seen.add(v);
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const value = isSecretKey(k) && (typeof x === 'string' || typeof x === 'number') && x !== '' ? REDACTED : walk(x);
      // defined, not assigned: a "__proto__" key from parsed JSON stays a plain own property
      Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return walk(value);
}

/** The rules whose regex matches `text` though their hint (`may`) says it cannot: empty, or a hint is wrong (tests). */
export function hintMisses(text: string): { matched: string[]; missed: string[] } {
  const matched = RULES.filter((r) => new RegExp(r.re.source, r.re.flags).test(text)).map((r) => r.name);
  return { matched, missed: matched.filter((n) => !RULES.find((r) => r.name === n)!.may(text)) };
}
