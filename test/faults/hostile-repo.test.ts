// Fault suite (issue 19, item 5): the agent owns the work tree and can write .git/config and
// .gitattributes. Every command the repository may name (filters, fsmonitor, hooks, external diff, diff
// drivers, pager, signing, aliases) is planted by the agent itself during a round and must never run in
// the supervisor's git calls: the round's aftercare (stash or commit), the next round's preflight, and
// the operator's `peek` and `status`. A control at the end runs plain git in the same repository and
// sees the planted commands run, so the test cannot pass because the planting did nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';
import { assertNoStray, checkInvariants, killStateDirProcesses } from '../helpers/invariants.js';

/** The agent: plants every hook point, pointing at `ran <what>`, then leaves a dirty tree and exits 0. */
function plantingAgent(markDir: string): string {
  const ran = path.join(markDir, 'ran');
  fs.writeFileSync(
    ran,
    `#!/bin/sh
# a planted command: leaves a mark named after itself, then behaves (filters and the pager pass data through)
touch "${markDir}/ran-$1"
case "$1" in clean|smudge|pager) exec cat ;; textconv) exec cat "$2" ;; esac
exit 0
`,
    { mode: 0o755 },
  );
  const hooks = path.join(markDir, 'hooks');
  fs.mkdirSync(hooks);
  for (const h of ['pre-commit', 'commit-msg', 'post-commit', 'post-checkout', 'reference-transaction', 'post-index-change', 'pre-auto-gc', 'prepare-commit-msg']) {
    fs.writeFileSync(path.join(hooks, h), `#!/bin/sh\ntouch "${markDir}/ran-hook-${h}"\n`, { mode: 0o755 });
  }
  const script = path.join(markDir, 'agent.sh');
  fs.writeFileSync(
    script,
    `#!/usr/bin/env bash
set -e
c() { git config "$@"; }
c filter.evil.clean "${ran} clean"
c filter.evil.smudge "${ran} smudge"
c filter.evil.required true
c 'filter.Odd=Name.clean' "${ran} clean-odd"
c filter.proc.process "${ran} process"
c core.fsmonitor "${ran} fsmonitor"
c core.hooksPath "${hooks}"
c diff.external "${ran} diff-external"
c diff.evil.command "${ran} diff-command"
c diff.evil.textconv "${ran} textconv"
c core.pager "${ran} pager"
c pager.status "${ran} pager"
c commit.gpgSign true
c gpg.program "${ran} gpg"
c alias.st "!${ran} alias"
c alias.status "!${ran} alias"
c alias.stash "!${ran} alias"
c gc.auto 1
printf '* filter=evil diff=evil\\n*.odd filter=Odd=Name\\n*.proc filter=proc\\n' > .gitattributes
# plain git hooks too, for a repository whose hooksPath the agent did not touch
for h in ${hooks}/*; do cp "$h" .git/hooks/; done
echo "round $AGENT_RUNNER_ROUND" >> README.md
echo work > "work-$AGENT_RUNNER_ROUND.txt"
echo odd > "f-$AGENT_RUNNER_ROUND.odd"
echo proc > "f-$AGENT_RUNNER_ROUND.proc"
exit 0
`,
    { mode: 0o755 },
  );
  return script;
}

function marks(markDir: string): string[] {
  return fs.readdirSync(markDir).filter((f) => f.startsWith('ran-')).sort();
}

function setup(t: TestContext, action: 'stash' | 'commit'): { p: Project; markDir: string } {
  const markDir = tmpDir('ar-marks-');
  const p = makeProject({ command: ['bash', plantingAgent(markDir)], extraToml: `[vcs]\ndirty_action = "${action}"\n` });
  t.after(() => {
    killStateDirProcesses(p.stateDir);
    fs.rmSync(p.dir, { recursive: true, force: true });
  });
  return { p, markDir };
}

for (const action of ['stash', 'commit'] as const) {
  test(`nothing the agent plants in .git/config or .gitattributes runs in aftercare (${action}), the next preflight, peek or status`, async (t) => {
    const { p, markDir } = setup(t, action);
    for (let i = 0; i < 2; i++) {
      const r = p.run(['round']);
      assert.equal(r.code, 0, `round ${i + 1}: ${r.stderr}`);
    }
    for (const args of [['peek'], ['peek', '--json'], ['status'], ['status', '--json']]) {
      const r = p.run(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual(marks(markDir), [], 'a planted command ran in a supervisor or operator git call');

    // the aftercare neither ran the repository's own filter driver nor stored the work without it (with
    // git-crypt's that would store plaintext): it refused, named the driver, and the work stays in the tree
    const rounds = p.rounds();
    assert.equal(rounds.length, 2);
    for (const r of rounds) {
      assert.equal(r.outcome, 'ok', JSON.stringify(r));
      assert.equal(r.stash_sha, null, JSON.stringify(r));
      assert.equal(r.commits.length, 0, JSON.stringify(r));
      assert.match(String(r.reason), /filter drivers? evil\b.*nor stores files without them/, JSON.stringify(r));
      assert.ok(r.dirty_files > 0, JSON.stringify(r));
    }
    checkInvariants(p.stateDir, { minRounds: 2 });
    await assertNoStray({ stateDir: p.stateDir });

    // control: the same repository under plain git runs what was planted (a stash took .gitattributes away)
    fs.writeFileSync(path.join(p.dir, '.gitattributes'), '* filter=evil\n');
    fs.appendFileSync(path.join(p.dir, 'README.md'), 'control\n');
    spawnSync('git', ['status'], { cwd: p.dir, stdio: 'ignore' });
    spawnSync('git', ['add', '-A'], { cwd: p.dir, stdio: 'ignore' });
    const seen = marks(markDir);
    for (const m of ['ran-fsmonitor', 'ran-clean']) assert.ok(seen.includes(m), `control: ${m} did not run under plain git (${seen.join(', ')})`);
  });
}
