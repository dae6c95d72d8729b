// What the agent's environment holds on a provider (issue 16), with a stand-in for Claude Code (print-env.sh
// installed as `claude`): the provider's variables, the operator's other credentials dropped, env_mode =
// "clean" keeping only the allowlist; a failing key command or a kind the CLI cannot use is a config error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENTS_DIR, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

const KEY = 'pk-4f1c9e2b7a6d5c3b2a1908f7e6d5c4b3';

function fakeClaude(): { bin: string; out: string } {
  const dir = tmpDir('ar-fake-cli-');
  const bin = path.join(dir, 'claude');
  fs.copyFileSync(path.join(AGENTS_DIR, 'print-env.sh'), bin);
  fs.chmodSync(bin, 0o755);
  return { bin, out: path.join(dir, 'env.txt') };
}

function envOf(file: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

function project(mode: 'inherit' | 'clean', apiKey = '${env:PROVIDER_KEY}', kind = 'anthropic') {
  const { bin, out } = fakeClaude();
  const p = makeProject({
    command: [bin, '-p'],
    agentToml: `providers = ["w"]\nenv_mode = "${mode}"`,
    agentEnv: { ENV_OUT: out, FROM_AGENT_ENV: 'yes' },
    extraToml: `[providers.w]\nkind = "${kind}"\nbase_url = "http://127.0.0.1:9/gw"\napi_key = ${JSON.stringify(apiKey)}\nmodels = { haiku = "small-1" }\n`,
  });
  return { p, out };
}

const operator = { PROVIDER_KEY: KEY, CANARY_VAR: 'operator', CLAUDE_CODE_OAUTH_TOKEN: 'operator-token-123456', ANTHROPIC_BASE_URL: 'http://operator' };

test('inherit: the operator\'s environment, [agent.env], then the provider\'s variables; the operator\'s other credentials dropped', () => {
  const { p, out } = project('inherit');
  const r = p.run(['round'], operator);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const env = envOf(out);
  assert.equal(env.CANARY_VAR, 'operator');
  assert.equal(env.FROM_AGENT_ENV, 'yes');
  assert.equal(env.ANTHROPIC_API_KEY, KEY);
  assert.equal(env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:9/gw');
  assert.equal(env.ANTHROPIC_DEFAULT_HAIKU_MODEL, 'small-1');
  assert.equal(env.CLAUDE_CONFIG_DIR, path.join(p.stateDir, 'providers', 'w', 'claude'));
  assert.equal(env.CLAUDE_CODE_OAUTH_TOKEN, undefined);
  assert.equal(p.rounds()[0].provider, 'w');
  // the agent printed the key: the round log has it cut out
  const log = fs.readFileSync(p.rounds()[0].log!, 'utf8');
  assert.ok(!log.includes(KEY) && log.includes('ANTHROPIC_API_KEY=[REDACTED]'), log);
});

test('clean: only PATH, HOME, LANG, TERM, [agent.env], the provider\'s and agent-runner\'s own variables', () => {
  const { p, out } = project('clean');
  const r = p.run(['round'], { ...operator, LANG: 'C.UTF-8', TERM: 'dumb' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const env = envOf(out);
  assert.equal(env.CANARY_VAR, undefined);
  assert.equal(env.PROVIDER_KEY, undefined);
  assert.equal(env.ANTHROPIC_API_KEY, KEY);
  assert.equal(env.FROM_AGENT_ENV, 'yes');
  for (const k of ['PATH', 'HOME', 'LANG', 'TERM']) assert.equal(env[k], { ...process.env, LANG: 'C.UTF-8', TERM: 'dumb' }[k], k);
  const allowed = /^(PATH|HOME|LANG|TERM|ENV_OUT|FROM_AGENT_ENV|ANTHROPIC_.*|CLAUDE_CONFIG_DIR|AGENT_RUNNER_.*|TMPDIR|TMP|TEMP|TEMPDIR|PWD|SHLVL|_|OLDPWD)$/;
  assert.deepEqual(Object.keys(env).filter((k) => !allowed.test(k)), []);
});

test('a failing key command: the round is refused before the agent starts, one config line naming the command and the fix', () => {
  const { p, out } = project('inherit', '${key_command:printf leaked-%s $((40+2)); exit 7}');
  const r = p.run(['round'], operator);
  assert.notEqual(r.code, 0);
  const rec = p.rounds()[0];
  assert.equal(rec.outcome, 'preflight_failed');
  assert.match(rec.reason ?? '', /^provider: `providers\.w\.api_key`: the key command `.*` exited 7; run it yourself/);
  assert.ok(!fs.existsSync(out), 'the agent did not start');
  assert.ok(!(r.stdout + r.stderr + fs.readFileSync(path.join(p.stateDir, 'events.jsonl'), 'utf8')).includes('leaked-42'));
});

test('a provider kind the CLI cannot use is refused at load (exit 78), with the reason', () => {
  const { p } = project('inherit', '${env:PROVIDER_KEY}', 'openai');
  const r = p.run(['round'], operator);
  assert.equal(r.code, 78, r.stdout + r.stderr);
  assert.match(r.stderr, /\[providers\.w\] is kind "openai", which Claude Code cannot use: Claude Code speaks only the Anthropic Messages API/);
  assert.deepEqual(p.rounds(), []);
});

test('a literal key in the committed agent-runner.toml is refused at load (exit 78), pointing to the secrets file', () => {
  const { p } = project('inherit', 'sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0');
  const r = p.run(['round'], operator);
  assert.equal(r.code, 78, r.stdout + r.stderr);
  assert.match(r.stderr, /`providers\.w\.api_key` holds what looks like a key; .*~\/\.config\/agent-runner\/secrets\.toml/);
  assert.ok(!r.stderr.includes('Zx9Qw8Er7Ty6'), 'the message does not repeat the key');
  assert.deepEqual(p.rounds(), []);
});

test('the secrets file: its key reaches the agent; with a mode others may read it is refused (exit 78) with the chmod to run', () => {
  const home = tmpDir('ar-home-secrets-');
  const file = path.join(home, '.config', 'agent-runner', 'secrets.toml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `[providers.w]\napi_key = "${KEY}"\n`, { mode: 0o600 });
  const { p, out } = project('inherit');
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace(/^api_key = .*$/m, ''));
  const ok = p.run(['round'], { ...operator, PROVIDER_KEY: '', HOME: home, XDG_CONFIG_HOME: '' });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(envOf(out).ANTHROPIC_API_KEY, KEY);
  fs.chmodSync(file, 0o640);
  const bad = p.run(['round'], { ...operator, HOME: home, XDG_CONFIG_HOME: '' });
  assert.equal(bad.code, 78, bad.stdout + bad.stderr);
  assert.match(bad.stderr, new RegExp(`mode 0640, so others may read your keys; run: chmod 600 ${file.replace(/[.]/g, '\\.')}`));
  assert.equal(p.rounds().length, 1);
});

test('serve on a provider: a round runs with its variables; a failing key command fails the pool\'s only provider, and serve stops (exit 3), naming the fix', () => {
  const { p, out } = project('inherit');
  const ok = p.run(['serve', '--max-rounds', '1'], operator);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(envOf(out).ANTHROPIC_API_KEY, KEY);
  const bad = p.run(['serve', '--max-rounds', '1'], { ...operator, PROVIDER_KEY: '' });
  // the pool's rule (docs/providers.md): the provider is failed, and with none left serve halts for a person
  assert.equal(bad.code, 3, bad.stdout + bad.stderr);
  assert.match(bad.stdout + bad.stderr, /no provider left in the pool: w failed \(key: .*PROVIDER_KEY is not set in agent-runner's environment; set it/);
});
