// The command lines a monitor, a timer or a person runs most often (`peek --json`, `status`, `round`,
// `--version`), started without loading commander: parsing them needs no parser, and loading one is a good
// part of what a Node CLI pays before it answers (docs/performance.md). Only plain forms are taken, each one
// that commander reads the same way; anything else (help, a bad or unknown flag, a missing value, an extra
// argument) goes to commander, which prints its one-line error and exits 2. The verbs themselves are
// verbs.ts's, the same ones program.ts wires to commander; this module only reads the command line, so the
// one-verb bundles (verb-entry.ts) take it without any other verb's code.

export interface FastCall {
  verb: 'round' | 'status' | 'peek' | 'probe' | 'version';
  /** probe: live or ready */
  kind?: string;
  config?: string;
  json: boolean;
  utc: boolean;
  /** round: no live line, no summary */
  quiet?: boolean;
}

const VERBS = new Set(['round', 'status', 'peek', 'probe']);
const PROBE_KINDS = new Set(['live', 'ready']);

/**
 * `args` as after `agent-runner`: a fast call, or null for commander. Taken: `--version` / `-V` alone, and
 * `round`, `status` or `peek` with `--json` after the verb (and `round --quiet`, as a timer runs it), `--utc`, and at most one `-c PATH` /
 * `--config PATH` / `--config=PATH` (commander reads program options on either side of the verb). And
 * `probe live` / `probe ready` with the same config forms (a container runs them every few seconds).
 */
export function parseFast(args: string[]): FastCall | null {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return { verb: 'version', json: false, utc: false };
  let verb: FastCall['verb'] | null = null;
  let config: string | undefined;
  let json = false;
  let utc = false;
  let kind: string | undefined;
  let quiet = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let value: string | undefined;
    if (a === '-c' || a === '--config') value = args[++i];
    else if (a.startsWith('--config=')) value = a.slice('--config='.length);
    else if (verb === 'probe' && !kind && PROBE_KINDS.has(a)) {
      kind = a;
      continue;
    } else if (a === '--json' && verb && verb !== 'probe') {
      json = true;
      continue;
    } else if (a === '--quiet' && verb === 'round') {
      quiet = true;
      continue;
    } else if (a === '--utc') {
      utc = true;
      continue;
    } else if (VERBS.has(a) && !verb) {
      verb = a as FastCall['verb'];
      continue;
    } else return null;
    // a path commander might read otherwise (empty, a flag, given twice): its call
    if (value === undefined || value === '' || value.startsWith('-') || config !== undefined) return null;
    config = value;
  }
  if (verb === 'probe') return kind ? { verb, kind, config, json, utc } : null;
  if (quiet) return { verb: 'round', config, json, utc, quiet };
  return verb ? { verb, config, json, utc } : null;
}
