// Round hygiene with the real CLIs (issue 21): Gemini CLI writes a 0644 error report holding the conversation to
// $TMPDIR when a request fails, and opencode leaves a 5.5 MB shared object there on every run. Here each runs
// round after round under `agent-runner round`, against the model server, inside a network namespace that also
// has its own empty /tmp and /var/tmp (netns.ts, privateTmp), and with no TMPDIR of its own: without the round's
// box, both would write to /tmp. After the rounds, /tmp and /var/tmp hold nothing, every box is gone, the
// ledger shows what each box held, and no conversation report exists anywhere. A few rounds each, to keep the
// suite short: bench/tmp-hygiene.ts runs as many as asked (its figure is in docs/performance.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tmpDir } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';
import { PRIVATE_TMP_BASE } from '../helpers/private-tmp.js';
import { baseEnv, cliSetup, type CliName } from '../model-server/clis.js';
import { isolationProblems, netnsUnavailable, runIsolated } from '../model-server/netns.js';
import type { JobResult } from '../model-server/driver.js';

const BASE = PRIVATE_TMP_BASE;

interface Rounds {
  project: Project;
  home: string;
  run: JobResult;
}

async function repeatedRounds(cli: CliName, scenario: string, n: number): Promise<Rounds> {
  fs.mkdirSync(BASE, { recursive: true });
  const home = tmpDir(`ar-home-${cli}-`, BASE);
  const setup = cliSetup(cli, { scenario, home });
  const project = makeProject({ command: setup.command, timeout: 90, grace: 2, agentEnv: { ...setup.presetEnv, HOME: home }, baseDir: BASE });
  // no TMPDIR: the CLI's default would be /tmp, were it not for the round's own
  const { TMPDIR: _, ...env } = baseEnv(home);
  const run = await runIsolated(
    {
      scenario,
      workDir: project.dir,
      files: setup.files,
      argv: ['sh', '-c', 'i=0; while [ $i -lt "$ROUNDS" ]; do "$0" "$@"; i=$((i+1)); done', process.execPath, CLI, '--config', project.configPath, 'round'],
      cwd: project.dir,
      env: { ...env, AGENT_RUNNER_CONFIG: '', ROUNDS: String(n), ...setup.env },
      stdin: null,
      timeoutMs: n * 120_000,
      requestsLog: null,
      listTmp: true,
    },
    { privateTmp: true, base: BASE },
  );
  return { project, home, run };
}

/** Files under `dir` whose name matches `re`, as `<octal mode> <path>`. */
function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(`${(fs.lstatSync(p).mode & 0o777).toString(8)} ${p}`);
    }
  };
  walk(dir);
  return out;
}

function assertClean(r: Rounds, n: number): void {
  const why = `agent-runner: ${r.run.stdout}${r.run.stderr}\nrecords: ${JSON.stringify(r.project.rounds().map((x) => ({ n: x.n, outcome: x.outcome, category: x.category, reason: x.reason, tmp: x.tmp })))}`;
  assert.deepEqual(isolationProblems(r.run), []);
  const recs = r.project.rounds();
  assert.equal(recs.length, n, why);
  // nothing new in /tmp or /var/tmp (they started empty), and no round's box is left
  assert.deepEqual(r.run.tmp_listing, [], why);
  assert.deepEqual(fs.readdirSync(path.join(r.project.stateDir, 'tmp')), [], why);
  for (const rec of recs) {
    assert.ok(rec.tmp, why);
    assert.equal(rec.tmp.kept, false);
    assert.equal(fs.existsSync(rec.tmp.dir), false);
    assert.deepEqual(rec.tmp.litter, { count: 0, bytes: 0, paths: [] }, why);
  }
}

test('gemini, 3 failing rounds: each error report (the whole conversation, 0644) lands in the round\'s box and goes with it; /tmp stays empty', async () => {
  assert.equal(netnsUnavailable(), null);
  const n = 3;
  const r = await repeatedRounds('gemini', 'auth', n);
  assertClean(r, n);
  for (const rec of r.project.rounds()) {
    assert.equal(rec.category, 'auth', rec.reason ?? '');
    // the report was written, in the box (it is the only file Gemini CLI puts in its temp dir on a failure)
    assert.ok(rec.tmp!.files >= 1 && rec.tmp!.bytes > 0, JSON.stringify(rec.tmp));
  }
  // no conversation report anywhere: not in the home, the work tree or the state dir either
  for (const dir of [r.home, r.project.dir, r.project.stateDir]) assert.deepEqual(findFiles(dir, /^gemini-client-error-/), [], dir);
});

test('opencode, 2 rounds of work: its 5.5 MB shared object lands in each round\'s box and goes with it; /tmp stays empty', async () => {
  assert.equal(netnsUnavailable(), null);
  const n = 2;
  const r = await repeatedRounds('opencode', 'work', n);
  assertClean(r, n);
  for (const rec of r.project.rounds()) {
    assert.equal(rec.outcome, 'ok', rec.reason ?? '');
    assert.ok(rec.tmp!.bytes > 5_000_000, `the box held ${rec.tmp!.bytes} bytes in ${rec.tmp!.files} files`);
  }
  for (const dir of [r.project.dir, r.project.stateDir]) assert.deepEqual(findFiles(dir, /\.so$/), [], dir);
});
