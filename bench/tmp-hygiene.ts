// `node build/bench/tmp-hygiene.js [--rounds N] [--agent fake|claude|codex|gemini|opencode]`: do many rounds leave /tmp as
// they found it? Runs `agent-runner serve --max-rounds N` inside a network and mount namespace whose /tmp and
// /var/tmp start as empty tmpfs (test/model-server/netns.ts; root or CAP_SYS_ADMIN), so what is there at the
// end is exactly what the rounds left: nothing else of this user's can write there. Prints that, and what the
// ledger says the rounds' private temp dirs held and the litter outside them.
//   fake      (default, 1000 rounds) a careless CLI: a 5.5 MB file into $TMPDIR, as opencode leaves one per
//             run, and a `setsid` child that writes into $TMPDIR and lives on
//   opencode  the pinned opencode against the scripted model server (test/model-server), `work` scenario
//   gemini    the pinned Gemini CLI, `auth` scenario: each run writes its error report (the conversation, 0644)
//   claude, codex  the pinned CLI against the scripted model server, `work` scenario (a file written and committed)
// Not a test (no timing is asserted anywhere): a figure for docs/performance.md and the report of issue 21.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CLI, REPO_ROOT } from './lib/measure.js';
import { initRepo, writeConfig } from './lib/project.js';
import { baseEnv, cliSetup, CLIS, type CliName } from '../test/model-server/clis.js';
import { runIsolated } from '../test/model-server/netns.js';
import type { RoundRecord } from '../src/state/types.js';

const FAKE = [
  'bash',
  '-c',
  [
    'head -c 5767168 /dev/zero > "$(mktemp --suffix=.so)"',
    'setsid bash -c \'head -c 1048576 /dev/zero > "$TMPDIR/child.bin"; exec sleep 600\' </dev/null >/dev/null 2>&1 &',
    'while [ ! -s "$TMPDIR/child.bin" ]; do sleep 0.01; done',
    'echo "fake: wrote to $TMPDIR"',
  ].join('\n'),
];

function args(): { rounds: number; agent: 'fake' | CliName } {
  const a = process.argv.slice(2);
  const at = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const agent = (at('--agent') ?? 'fake') as 'fake' | CliName;
  if (agent !== 'fake' && !CLIS.includes(agent)) throw new Error(`--agent ${agent}: use fake, ${CLIS.join(', ')}`);
  const rounds = Number(at('--rounds') ?? (agent === 'fake' ? 1000 : 20));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${at('--rounds')}: a whole number of rounds, at least 1`);
  return { rounds, agent };
}

async function main(): Promise<void> {
  const { rounds, agent } = args();
  // outside /tmp and /var/tmp, which the namespace replaces
  const root = path.join(os.homedir(), '.cache', 'agent-runner-bench');
  fs.mkdirSync(root, { recursive: true });
  const base = fs.mkdtempSync(path.join(root, 'tmp-'));
  try {
    const dir = path.join(base, 'work');
    const home = path.join(base, 'home');
    const stateDir = path.join(base, 'state');
    fs.mkdirSync(dir);
    fs.mkdirSync(home);
    initRepo(dir);
    const scenario = agent === 'gemini' ? 'auth' : 'work';
    const setup = agent === 'fake' ? null : cliSetup(agent, { scenario, home });
    const agentEnv = setup ? `\n[agent.env]\n${Object.entries({ ...setup.presetEnv, HOME: home }).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n')}\n` : '';
    // failing rounds (gemini's auth) must neither trip the breaker nor stop serve before N rounds
    const serve = `\n[serve]\ncrash_loop_threshold = 1000\nbackoff_base_s = 0\nbackoff_max_s = 1\nstop_on_auth = false\nno_progress_rounds = 0\nsame_error_rounds = 0\n`;
    const configPath = writeConfig({ command: setup?.command ?? FAKE, dir, stateDir, restartDelayS: 0, timeoutS: 120, graceS: 1, extraToml: agentEnv + serve });
    execFileSync('git', ['add', '-A'], { cwd: dir });
    execFileSync('git', ['commit', '-qm', 'bench project'], { cwd: dir });
    const { TMPDIR: _, ...env } = baseEnv(home);
    const t0 = Date.now();
    const run = await runIsolated(
      {
        scenario,
        workDir: dir,
        files: setup?.files ?? [],
        argv: [process.execPath, CLI, '--config', configPath, 'serve', '--max-rounds', String(rounds)],
        cwd: dir,
        env: { ...env, AGENT_RUNNER_CONFIG: '', ...(setup?.env ?? {}) },
        stdin: null,
        timeoutMs: rounds * 150_000,
        requestsLog: null,
        listTmp: true,
      },
      { privateTmp: true, base },
    );
    const records = fs
      .readFileSync(path.join(stateDir, 'rounds.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RoundRecord);
    const sum = (f: (r: RoundRecord) => number) => records.reduce((a, r) => a + f(r), 0);
    const left = run.tmp_listing ?? [];
    const boxesLeft = fs.existsSync(path.join(stateDir, 'tmp')) ? fs.readdirSync(path.join(stateDir, 'tmp')) : [];
    const outcomes = records.reduce<Record<string, number>>((a, r) => ({ ...a, [r.outcome]: (a[r.outcome] ?? 0) + 1 }), {});
    const lines = [
      `agent: ${agent === 'fake' ? 'fake (5.5 MB into $TMPDIR + a setsid child writing 1 MB)' : `${agent} (${setup!.command[0].replace(REPO_ROOT, '.')}, scenario ${scenario})`}`,
      `rounds: ${records.length} of ${rounds} asked (${Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(', ')}), in ${((Date.now() - t0) / 1000).toFixed(0)} s; serve exit ${run.exit}`,
      `the rounds' temp dirs held ${sum((r) => r.tmp?.files ?? 0)} files, ${(sum((r) => r.tmp?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB in all; removed: ${records.filter((r) => r.tmp && !r.tmp.kept).length}; left on disk: ${boxesLeft.length}${boxesLeft.length ? ` (${boxesLeft.slice(0, 5).join(' ')})` : ''}`,
      `litter on the record (outside the temp dirs): ${sum((r) => r.tmp?.litter.count ?? 0)} files, ${sum((r) => r.tmp?.litter.bytes ?? 0)} bytes`,
      ...(records.some((r) => r.outcome !== 'ok') ? [`first round not ok: ${JSON.stringify(records.find((r) => r.outcome !== 'ok')?.reason)}`] : []),
      // a stop before N rounds: what ended it (the last record says why serve gave up)
      ...(records.length < rounds ? [`last round ${records.at(-1)?.n}: ${records.at(-1)?.outcome}, ${JSON.stringify(records.at(-1)?.reason)}`] : []),
      `files exposing a secret on the record: ${sum((r) => r.tmp?.exposed.length ?? 0)}`,
      `/tmp and /var/tmp at the end (empty at the start): ${left.length} entries${left.length ? `:\n  ${left.slice(0, 20).join('\n  ')}` : ''}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (left.length || boxesLeft.length || records.length !== rounds) process.exitCode = 1;
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`tmp-hygiene: ${(e as Error).message}\n`);
  process.exit(1);
});
