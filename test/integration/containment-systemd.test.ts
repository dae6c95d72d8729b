// Containment under a real systemd (the sandboxed one of test/helpers/systemd-sandbox.ts, as the install tests
// use): with a user manager there, each round runs in a transient scope of its own (`systemd-run --user
// --scope`), and an escapee that scrubbed its environment and left the session ends with the round; with
// runtime.containment = "sweep" (the fallback, all there is on main) the same escapee outlives it. The scope is
// kept (by a keeper outside the agent's tree) until the round's memory peak and OOM kills are read: without it,
// systemd removed the scope with its memory.peak and memory.events before they were read (issue 19).
// If the sandbox cannot start, the test fails (it never skips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../helpers/systemd-sandbox.js';
import { makeProject } from '../helpers/project.js';
import { AGENTS_DIR, CLI, waitUntil } from '../helpers/env.js';
import { readAgentPids } from '../helpers/invariants.js';

test('containment under a real systemd: a scope per round, ended whole', { timeout: 300_000 }, async (t) => {
  const sb: Sandbox = await startSandbox();
  try {
    const work = path.join(sb.base, 'work');
    fs.mkdirSync(work);
    /** a pid inside the sandbox (its own pid namespace) is alive */
    const alive = (pid: number) => sb.exec(['kill', '-0', String(pid)]).code === 0;
    const round = (mode: string, agent: string, env: Record<string, string>, more = '') => {
      const p = makeProject({ baseDir: work, agent, grace: 0, runtimeToml: `containment = "${mode}"\n${more}`, agentEnv: env });
      const r = sb.exec([process.execPath, CLI, '--config', p.configPath, 'round'], { cwd: p.dir, timeoutMs: 120_000 });
      return { p, r };
    };
    const scopes = () => sb.systemctl('list-units', '--all', '--plain', '--no-legend', 'agent-runner-*.scope').stdout.trim();
    /** the keeper lets go once the round is recorded: then systemd collects the scope */
    const scopesGone = () => waitUntil(() => scopes() === '', { timeoutMs: 20_000, what: 'the round\'s scope to be collected', detail: scopes });

    await t.test('auto with a user manager: systemd-scope; the env -i escapee ends with the round, and so does the scope', async () => {
      const pidsFile = path.join(work, 'escapee-scope');
      const { p, r } = round('auto', 'env-scrub-escape.sh', { PIDS_FILE: pidsFile });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [rec] = p.rounds();
      assert.equal(rec.outcome, 'ok', rec.reason ?? '');
      assert.equal(rec.containment, 'systemd-scope');
      assert.ok(rec.killed >= 1, `killed ${rec.killed}`);
      const [escapee] = readAgentPids(pidsFile);
      assert.ok(escapee > 0, 'the agent recorded its escapee');
      assert.equal(alive(escapee), false, `escapee ${escapee} outlived its round`);
      assert.ok(rec.memory_peak_bytes! > 0, `memory peak ${rec.memory_peak_bytes}`);
      await scopesGone();
    });

    await t.test('a pid hopper: the scope ends it with the round', async () => {
      const { p, r } = round('systemd-scope', 'pid-hopper.sh', { PIDS_FILE: path.join(work, 'hopper'), HOP_S: '60' });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(p.rounds()[0]!.containment, 'systemd-scope');
      await scopesGone();
    });

    await t.test('memory_max_mb in a scope: the OOM kill is failed (oom) and the peak is recorded; unlimited, the peak is what it held', async () => {
      const { p, r } = round('systemd-scope', 'eat-memory.sh', { EAT_MB: '1024' }, 'memory_max_mb = 64\n');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const [rec] = p.rounds();
      assert.equal(rec.containment, 'systemd-scope');
      assert.equal(rec.outcome, 'failed');
      assert.equal(rec.category, 'oom', rec.reason ?? '');
      assert.match(rec.reason ?? '', /OOM killer.*memory_max_mb = 64/);
      assert.ok(rec.memory_peak_bytes! > 32 * 2 ** 20 && rec.memory_peak_bytes! <= 65 * 2 ** 20, `peak ${rec.memory_peak_bytes}`);
      await scopesGone();
      const q = round('systemd-scope', 'eat-memory.sh', { EAT_MB: '96' });
      assert.equal(q.r.code, 0, q.r.stdout + q.r.stderr);
      const [good] = q.p.rounds();
      assert.equal(good.outcome, 'ok', good.reason ?? '');
      assert.ok(good.memory_peak_bytes! >= 96 * 2 ** 20, `peak ${good.memory_peak_bytes}`);
      await scopesGone();
    });

    await t.test('hooks in scopes of their own: what pre_round and post_round leave (an env -i escapee, a temp file) goes with the round', async () => {
      const hook = (h: string) =>
        `PIDS_FILE=${work}/hook-${h}.pids bash ${path.join(AGENTS_DIR, 'env-scrub-escape.sh')} && echo litter > "$TMPDIR/${h}-litter" && echo "$TMPDIR" > ${work}/hook-${h}.tmpdir`;
      const p = makeProject({ baseDir: work, agent: 'succeed.sh', runtimeToml: 'containment = "systemd-scope"\n', extraToml: `[hooks]\npre_round = ${JSON.stringify(hook('pre'))}\npost_round = ${JSON.stringify(hook('post'))}\n` });
      const r = sb.exec([process.execPath, CLI, '--config', p.configPath, 'round'], { cwd: p.dir, timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [rec] = p.rounds();
      assert.equal(rec.containment, 'systemd-scope');
      assert.deepEqual(rec.hooks?.map((h) => [h.hook, h.exit_code]), [['pre_round', 0], ['post_round', 0]]);
      assert.ok(rec.hooks!.every((h) => h.killed >= 1), JSON.stringify(rec.hooks));
      for (const h of ['pre', 'post']) {
        const box = fs.readFileSync(path.join(work, `hook-${h}.tmpdir`), 'utf8').trim();
        assert.equal(box, rec.tmp?.dir, `${h}_round's TMPDIR`);
        assert.equal(sb.exec(['test', '-e', path.join(box, `${h}-litter`)]).code, 1, `${h}_round's temp file outlived the round`);
        const [escapee] = readAgentPids(path.join(work, `hook-${h}.pids`));
        assert.ok(escapee > 0, `${h}_round recorded its escapee`);
        assert.equal(alive(escapee), false, `${h}_round's escapee ${escapee} outlived its round`);
      }
      await scopesGone();
    });

    await t.test('kill of a serve whose round runs in a scope: the escapee ends, the round is aborted, the scope goes', async () => {
      const pidsFile = path.join(work, 'escapee-kill');
      const p = makeProject({ baseDir: work, agent: 'env-scrub-escape.sh', runtimeToml: 'containment = "systemd-scope"\n', agentEnv: { PIDS_FILE: pidsFile, HANG: '1' } });
      const bg = sb.exec(['sh', '-c', 'setsid "$@" </dev/null >/dev/null 2>&1 &', 'bg', process.execPath, CLI, '--config', p.configPath, 'serve'], { cwd: p.dir });
      assert.equal(bg.code, 0, bg.stderr);
      await waitUntil(() => readAgentPids(pidsFile).length > 0, { timeoutMs: 60_000, what: 'the agent to start its escapee' });
      const [escapee] = readAgentPids(pidsFile);
      assert.match(scopes(), /agent-runner-.*\.scope/);
      // serve dies at once (SIGKILL): the keeper lets go; the kill ends the round's fence through the scope systemd names
      const k = sb.exec([process.execPath, CLI, '--config', p.configPath, 'kill'], { cwd: p.dir });
      assert.equal(k.code, 0, k.stdout + k.stderr);
      assert.equal(alive(escapee), false, `escapee ${escapee} outlived the kill`);
      assert.equal(p.rounds()[0]!.outcome, 'aborted');
      await scopesGone();
    });

    await t.test('doctor says which fence: systemd-scope, and why', () => {
      const p = makeProject({ baseDir: work, agent: 'succeed.sh' });
      const d = sb.exec([process.execPath, CLI, '--config', p.configPath, 'doctor', '--json'], { cwd: p.dir });
      const c = (JSON.parse(d.stdout) as { checks: Array<{ name: string; ok: boolean; detail?: string }> }).checks.find((x) => x.name === 'containment');
      assert.ok(c?.ok, JSON.stringify(c));
      assert.match(c.detail ?? '', /^systemd-scope \(a systemd user manager answers at \/run\/user\/0\)/);
    });

    await t.test('the fallback (containment = "sweep"), as on main: the same escapee outlives its round', () => {
      const pidsFile = path.join(work, 'escapee-sweep');
      const { p, r } = round('sweep', 'env-scrub-escape.sh', { PIDS_FILE: pidsFile });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(p.rounds()[0]!.containment, 'sweep');
      const [escapee] = readAgentPids(pidsFile);
      assert.equal(alive(escapee), true, `escapee ${escapee} was ended by the sweep: this fallback is expected to miss it`);
      sb.exec(['kill', '-KILL', String(escapee)]);
    });
  } finally {
    await sb.stop();
  }
});
