// The real Claude Code CLI (@anthropic-ai/claude-code, a dev dependency) run by the claude preset under
// `serve`, with an empty HOME and no credentials: it says "Not logged in" (no network needed for that),
// the round is classified auth, and serve stops with the `claude setup-token` hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';
import { PRESETS } from '../../src/config/presets.js';

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
  assert.equal(r.code, 1, r.stderr);
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
