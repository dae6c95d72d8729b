// A literal key in a project's agent-runner.toml, which is committed with the project: refused at load
// (exit 78), pointing to the user's secrets file or a template. What looks like a key: a known prefix
// (sk-, sk-ant-, ghp_ and the other token formats), or a long string of high entropy with no spaces.

const PREFIXES = /^(?:sk-|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|xox[abposre]-|AKIA|ASIA|AIza|hf_|npm_|glpat-|eyJ[A-Za-z0-9_-]{8,}\.)/;

/** Bits per character of the string's own character distribution. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** Whether the value, with its templates taken out, still holds something that looks like a key. */
export function looksLikeKey(value: string): boolean {
  return value
    .replace(/\$\{[a-z_]+:[^}]*\}/g, ' ')
    .split(/[\s"'=:,;@]+/)
    .some((w) => PREFIXES.test(w) || (w.length >= 32 && !w.includes('/') && entropy(w) >= 4 && /[0-9]/.test(w) && /[A-Za-z]/.test(w)));
}

export const LITERAL_KEY_FIX =
  'a literal key must not be in agent-runner.toml (it is committed with the project): put it in ~/.config/agent-runner/secrets.toml (mode 600) under [providers.NAME] api_key, or write a template: ${env:VAR}, ${file:PATH} or ${key_command:CMD}';
