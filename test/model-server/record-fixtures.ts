// Records test/fixtures/agents/srv-<cli>-<scenario>.txt: each real CLI, run directly with its preset
// command against the model server playing each scenario, inside a loopback-only network namespace.
//   node build/test/model-server/record-fixtures.js [claude|codex|gemini …] [--scenario NAME …] [--variants]
// (with --scenario, the VARIANTS below only with --variants)
// The file format is the fixtures README's: a header, then the STDOUT and STDERR blocks, with the run's
// paths rewritten to $HOME and $WORK and the server's address to $SERVER.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR, makeGitRepo, REPO_ROOT, tmpDir } from '../helpers/env.js';
import { baseEnv, CLIS, cliSetup, cliVersion, CODEX_COMMIT_ARGS, GEMINI_STREAM_ARGS, homeBase, PACKAGES, type CliName, type SetupOptions } from './clis.js';
import { CODEX_FIXTURE_ARGS, CODEX_FORBID_COMMIT, CODEX_READ_ONLY_ARGS, GEMINI_ASKING_ARGS, GEMINI_DENY_COMMIT } from './refusals.js';
import { runIsolated } from './netns.js';
import { SCENARIOS, SHORT_RESET_S, USAGE_LIMIT_RESET_S } from './scenarios.js';
import type { JobResult } from './driver.js';

export const PROMPT = 'Improve the project one small step at a time, and commit.';
function version(cli: CliName): string {
  return `${PACKAGES[cli]} ${cliVersion(cli)}`;
}

/** How long a direct run may take: the hangs and long waits end by this `timeout` (exit 124). opencode and kilo
 * retry a 429 or 529 without a retry-after five times (2 s doubling to 30 s, plus a quarter's jitter: up to 75 s)
 * before they print their error line: their runs get the time to give up. Kilo takes up to 30 s more to start. */
function timeoutMs(cli: CliName, scenario: string): number {
  const base = scenario.startsWith('hang') || scenario === 'retry_after_long' ? 30_000 : 60_000;
  const givesUp = (cli === 'opencode' || cli === 'kilo') && (scenario === 'usage_limit' || scenario === 'overloaded') ? 45_000 : 0;
  return base + givesUp + (cli === 'kilo' ? 30_000 : 0);
}

/** Runs besides the plain cli × scenario ones: the gaps' evidence and their fixes. */
export interface Variant {
  name: string;
  cli: CliName;
  scenario: string;
  /** replaces the preset's arguments after argv[0] */
  args?: string[];
  setup?: Omit<SetupOptions, 'home' | 'scenario'>;
  why: string;
}

export const VARIANTS: Variant[] = [
  { name: 'srv-claude-retry-after-long-oauth', cli: 'claude', scenario: 'retry_after_long', setup: { claudeAuth: 'oauth' }, why: 'a subscriber (OAuth token) hit by a plain 429' },
  { name: 'srv-claude-denied', cli: 'claude', scenario: 'work', args: ['-p', '--output-format', 'stream-json', '--verbose'], why: "the preset without --dangerously-skip-permissions: Claude Code's default permissions refuse the Write and the commit" },
  { name: 'srv-codex-work-writable-git', cli: 'codex', scenario: 'work', args: CODEX_COMMIT_ARGS, why: 'the preset with .git writable in the sandbox, so the agent can commit' },
  { name: 'srv-gemini-work-stream-json', cli: 'gemini', scenario: 'work', args: GEMINI_STREAM_ARGS, why: 'the preset with --output-format stream-json' },
  { name: 'srv-codex-denied-read-only', cli: 'codex', scenario: 'work', args: CODEX_READ_ONLY_ARGS, why: "codex exec's own default sandbox (read-only): the patch is refused, reported only in its stderr log" },
  { name: 'srv-codex-denied-rules', cli: 'codex', scenario: 'work', args: CODEX_FIXTURE_ARGS, setup: { extraFiles: [CODEX_FORBID_COMMIT] }, why: 'a rules file forbids `git commit`: the command is refused, reported only in its stderr log' },
  { name: 'srv-gemini-denied-policy', cli: 'gemini', scenario: 'work', setup: { extraFiles: [GEMINI_DENY_COMMIT] }, why: 'a policy rule denies `git commit`: the tool_result is a policy_violation' },
  { name: 'srv-gemini-denied-headless', cli: 'gemini', scenario: 'work', args: GEMINI_ASKING_ARGS, why: 'the preset without --yolo: headless, the tools that need approval are left out (tool_not_registered)' },
  { name: 'srv-gemini-untrusted', cli: 'gemini', scenario: 'work', setup: { geminiTrust: false }, why: 'the preset as it is, in a folder it was never told to trust' },
];

export async function recordOne(cli: CliName, scenarioName: string, variant?: Variant): Promise<{ file: string; result: JobResult }> {
  const home = tmpDir(`ar-fx-home-${cli}-`, homeBase());
  const work = makeGitRepo(tmpDir('ar-fx-work-'));
  const setup = cliSetup(cli, { ...variant?.setup, home, scenario: scenarioName });
  const command = variant?.args ? [setup.command[0], ...variant.args] : setup.command;
  const usesArgv = command.includes('{prompt}');
  const argv = command.map((a) => (a === '{prompt}' ? PROMPT : a));
  const result = await runIsolated({
    scenario: scenarioName,
    workDir: work,
    files: setup.files,
    argv,
    cwd: work,
    env: { ...baseEnv(home), ...setup.presetEnv, ...setup.env },
    stdin: usesArgv ? null : `${PROMPT}\n`,
    timeoutMs: timeoutMs(cli, scenarioName),
    requestsLog: null,
  });
  const port = new URL(result.url).port;
  const clean = (s: string) =>
    s
      .split(REPO_ROOT)
      .join('$REPO')
      .split(home)
      .join('$HOME')
      .split(work)
      .join('$WORK')
      .split(result.url)
      .join('$SERVER')
      .split(`127.0.0.1:${port}`)
      .join('127.0.0.1:$PORT');
  const sc = SCENARIOS[scenarioName];
  const envShown = Object.entries({ ...setup.presetEnv, ...setup.env })
    .map(([k, v]) => `${k}=${v === setup.credential ? '<test credential>' : clean(v).replace('{{URL}}', '$SERVER')}`)
    .join(' ');
  const requests = result.requests.map((r) => `${r.method} ${r.url} → ${r.answer}`).join(', ');
  const name = variant?.name ?? `srv-${cli}-${scenarioName.replace(/_/g, '-')}`;
  const stdout = clean(result.stdout);
  const stderr = clean(result.stderr);
  const header = [
    `# case: ${name}`,
    `# command: ${[cli, ...argv.slice(1)].map((a) => (a === PROMPT ? `'${a}'` : a.includes('"') ? `'${a}'` : a)).join(' ')}   (${variant?.args ? 'not the preset' : 'preset'} ${cli}, ${version(cli)}${usesArgv ? '' : '; the prompt on stdin'})`,
    ...(variant ? [`# variant: ${variant.why}`] : []),
    `# env: ${envShown}`,
    ...(setup.files.length ? [`# files: ${setup.files.map((f) => clean(f.path)).join(', ')} (test/model-server/clis.ts)`] : []),
    `# cwd: $WORK (a git repo with one commit)   stdin: ${usesArgv ? '/dev/null' : 'the prompt'}`,
    `# network: a fresh network namespace, loopback only (test/model-server/netns.ts)`,
    `# server: scenario '${scenarioName}': ${sc.description} (test/model-server/scenarios.ts)`,
    ...(scenarioName === 'usage_limit' ? [`# server_reset_at: ${serverReset(result)} (${USAGE_LIMIT_RESET_S} s after the request)`] : []),
    ...(scenarioName === 'usage_limit_soon_then_work' ? [`# server_reset_at: ${serverReset(result)} (${SHORT_RESET_S} s after the first request)`] : []),
    `# requests seen by the server: ${requests || 'none'}`,
    `# exit_code: ${result.exit ?? 'none'}${result.signal ? ` (signal ${result.signal})` : ''}${result.timed_out ? ` (killed at ${timeoutMs(cli, scenarioName) / 1000} s, as timeout(1) does)` : ''}`,
    `# duration_s: ${(result.duration_ms / 1000).toFixed(2)}`,
  ];
  const text = `${header.join('\n')}\n===== STDOUT (${Buffer.byteLength(stdout)} bytes) =====\n${stdout}${stdout && !stdout.endsWith('\n') ? '\n' : ''}===== STDERR (${Buffer.byteLength(stderr)} bytes) =====\n${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}===== END =====\n`;
  const file = path.join(FIXTURES_DIR, 'agents', `${name}.txt`);
  fs.writeFileSync(file, text);
  return { file, result };
}

/** The reset the server announced in its first usage-limit answer (ISO). */
export function serverReset(r: JobResult): string {
  const f = r.requests.find((q) => q.fault?.kind === 'usage_limit')?.fault;
  return f?.kind === 'usage_limit' ? new Date(f.resetAt * 1000).toISOString() : 'none (no usage-limit answer was sent)';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const clis = args.filter((a): a is CliName => (CLIS as string[]).includes(a));
  const scenarios: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '--scenario') scenarios.push(args[++i]);
  const report = ({ file, result }: { file: string; result: JobResult }) =>
    process.stdout.write(`${path.relative(REPO_ROOT, file)}: exit ${result.exit}, ${(result.duration_ms / 1000).toFixed(1)} s, ${result.requests.length} requests\n`);
  for (const cli of clis.length ? clis : CLIS) {
    for (const s of scenarios.length ? scenarios : Object.keys(SCENARIOS)) report(await recordOne(cli, s));
    if (!scenarios.length || args.includes('--variants')) {
      for (const v of VARIANTS.filter((x) => x.cli === cli)) report(await recordOne(cli, v.scenario, v));
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
