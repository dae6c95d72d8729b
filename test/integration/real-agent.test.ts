// The real Claude Code CLI (@anthropic-ai/claude-code, a dev dependency) run by the claude preset under
// `serve`, with an empty HOME and no credentials: it says "Not logged in" (no network needed for that),
// the round is classified auth, and serve stops with the `claude setup-token` hint. As root, its refusal of
// --dangerously-skip-permissions is caught by the preflight before the agent starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';
import { PRESETS } from '../../src/agents/presets.js';

const CLAUDE = path.join(REPO_ROOT, 'node_modules', '.bin', 'claude');
const CREDENTIAL_VARS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'];

test('real claude, no credentials: round classified auth, serve stops with the claude setup-token hint', async () => {
  assert.ok(fs.existsSync(CLAUDE), `${CLAUDE} is missing: run npm install (it is a dev dependency)`);
  for (const v of CREDENTIAL_VARS) delete process.env[v];
  const home = tmpDir('ar-home-');
  const preset = PRESETS.claude;
  const p = makeProject({
    command: [CLAUDE, ...preset.command.slice(1)],
    timeout: 60,
    agentEnv: {
      ...preset.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      // nothing may leave the machine: a dead proxy for anything that tries
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      // as root, Claude Code refuses --dangerously-skip-permissions unless told it runs in a sandbox
      ...(os.userInfo().uid === 0 ? { IS_SANDBOX: '1' } : {}),
    },
  });
  const t0 = Date.now();
  const r = await finished(p.start(['serve'], { HOME: home }));
  const took = (Date.now() - t0) / 1000;
  assert.equal(r.code, 3, r.stderr); // halted: the auth stop
  const [rec, ...more] = p.rounds();
  assert.equal(more.length, 0, 'serve ran another round after an auth failure');
  assert.equal(rec.category, 'auth', `${rec.outcome}: ${rec.reason}`);
  assert.match(rec.reason ?? '', /Not logged in/);
  assert.equal(rec.usage?.format, 'claude');
  assert.match(r.stderr, /claude setup-token/);
  const stop = p.events().find((e) => e.kind === 'auth_stop');
  assert.match(String(stop?.message), /claude setup-token/);
  const types = fs
    .readFileSync(rec.events_log!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { type: string }).type);
  assert.deepEqual(types, ['init', 'error', 'result', 'stats']);
  // a correctness bound (the round timeout is 60 s), not a speed assertion
  assert.ok(took < 60, `took ${took}s`);
  process.stderr.write(`# real claude: auth verdict and serve stop in ${took.toFixed(1)}s (round ${rec.duration_s}s)\n`);
});

test('real claude as root: it refuses --dangerously-skip-permissions, so the preflight refuses the round first (IS_SANDBOX=1 lets it run)', async (t) => {
  assert.ok(fs.existsSync(CLAUDE), `${CLAUDE} is missing: run npm install (it is a dev dependency)`);
  // the suite runs as root (CI does: apt-get, mount); as another user this test would have nothing to show
  assert.equal(os.userInfo().uid, 0, 'this test needs root, as the rest of the fault suite does');
  const home = tmpDir('ar-home-');
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  const env = { HOME: home, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' };
  // the upstream behaviour the check stands for: if Claude Code ever accepts the flag as root, this says so
  const direct = spawnSync(CLAUDE, ['-p', '--dangerously-skip-permissions', 'hi'], { cwd: home, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  assert.match(direct.stdout + direct.stderr, /cannot be used with root\/sudo privileges/);

  const preset = PRESETS.claude;
  const p = makeProject({ command: [CLAUDE, ...preset.command.slice(1)], timeout: 60, agentEnv: { ...preset.env, ...env } });
  const r = p.run(['serve'], { HOME: home });
  assert.equal(r.code, 78, `${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /agent_as_root: Claude Code refuses --dangerously-skip-permissions as root: .*IS_SANDBOX = "1"/);
  const [rec, ...more] = p.rounds();
  assert.equal(more.length, 0);
  assert.equal(rec.outcome, 'preflight_failed');
  assert.equal(rec.pid, null, 'the agent was started');

  // with IS_SANDBOX=1 in [agent.env] the check lets it through (the round then fails on the missing login)
  const q = makeProject({ command: [CLAUDE, ...preset.command.slice(1)], timeout: 60, agentEnv: { ...preset.env, ...env, IS_SANDBOX: '1' } });
  const r2 = q.run(['round'], { HOME: home });
  assert.equal(q.rounds()[0].category, 'auth', `${r2.stdout}${r2.stderr}`);
});
