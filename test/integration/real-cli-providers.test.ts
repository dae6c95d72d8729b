// [providers.NAME] with the real CLIs (issue 16): one provider block, its key from a key command, its
// base_url a gateway path, reaches Claude Code and Codex as each reads it; the server checks the path
// prefix and the credential it receives. The agent prints the key (raw and URL-escaped) mid-round, and
// then the key, in every escaped form, is nowhere in the state dir or in agent-runner's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../helpers/env.js';
import { assertWorkCommitted, describeRound, realRound, type RealRound } from '../helpers/real-cli.js';
import { homeBase, type CliName } from '../model-server/clis.js';
import { PROBE_ENV } from '../model-server/scenarios.js';

/** A key no pattern of the redactor knows, with characters that JSON and URLs escape. */
const KEY = `prov${crypto.randomBytes(12).toString('hex')}/k+v=q\\z`;
/** opencode puts {env:VAR} into its JSON config as text, unescaped: a key with a backslash breaks it (real keys have none) */
const PLAIN_KEY = `prov${crypto.randomBytes(12).toString('hex')}/k+v=q`;
const formsOf = (key: string) => [key, JSON.stringify(key).slice(1, -1), encodeURIComponent(key), JSON.stringify(JSON.stringify(key)).slice(3, -3)];

function providerRound(cli: CliName, kind: string, prefix: string, models: string, key = KEY): Promise<RealRound & { count: string; key: string }> {
  const dir = tmpDir('ar-keys-', homeBase());
  const keyFile = path.join(dir, 'key');
  const countFile = path.join(dir, 'runs');
  fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  const keyCommand = `echo run >> '${countFile}'; cat '${keyFile}'`;
  const block = [
    '[providers.gw]',
    `kind = "${kind}"`,
    `base_url = ${JSON.stringify('${env:AR_GATEWAY}' + prefix)}`,
    `api_key = ${JSON.stringify('${key_command:' + keyCommand + '}')}`,
    `models = ${models}`,
  ].join('\n');
  return realRound(cli, 'print_probe', {
    agentToml: 'providers = ["gw"]',
    extraToml: block,
    env: { AR_GATEWAY: '{{URL}}/gateway', [PROBE_ENV]: keyFile },
    expect: { prefix: '/gateway', credential: key },
  }).then((r) => ({ ...r, key, count: fs.readFileSync(countFile, 'utf8') }));
}

/** Every file under dir whose bytes hold one of the forms, but under `skip` (a dir the CLI itself writes). */
function filesHolding(dir: string, forms: string[], skip: string): string[] {
  const hits: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    if (file.startsWith(skip + path.sep)) continue;
    const bytes = fs.readFileSync(file);
    for (const f of forms) if (bytes.includes(f)) hits.push(`${file} holds ${JSON.stringify(f)}`);
  }
  return hits;
}

function assertProviderUsed(r: RealRound & { count: string; key: string }, cli: string): void {
  const why = describeRound(r);
  const FORMS = formsOf(r.key);
  assertWorkCommitted(r);
  assert.equal(r.record.provider, 'gw', why);
  // the gateway: every request under its path, every model request with the key from the key command
  assert.deepEqual(r.run.requests.filter((q) => q.answer === 'outside the prefix').map((q) => q.url), [], why);
  assert.ok(r.main.length > 0, why);
  assert.deepEqual(r.main.map((q) => q.credential), r.main.map(() => 'expected'), why);
  assert.equal(r.count, 'run\n', 'the key command ran once for the round');
  // the CLI's own home under the state dir
  assert.ok(fs.statSync(path.join(r.project.stateDir, 'providers', 'gw', cli)).isDirectory());
  // the agent printed the key: the round log kept the words around it, with the key cut out
  assert.match(r.log, /\[REDACTED\]/, why);
  // everything agent-runner wrote; the CLI's own home is its own (Claude Code keeps the transcript there, and
  // the agent printed the key into it, as it would into ~/.claude): what agent-runner writes there is checked apart
  const home = path.join(r.project.stateDir, 'providers', 'gw', cli);
  assert.deepEqual(filesHolding(r.project.stateDir, FORMS, home), []);
  for (const f of ['config.toml', 'opencode.json', '.gemini/settings.json']) {
    if (fs.existsSync(path.join(home, f))) for (const form of FORMS) assert.ok(!fs.readFileSync(path.join(home, f), 'utf8').includes(form));
  }
  const out = r.run.stdout + r.run.stderr;
  for (const f of FORMS) assert.ok(!out.includes(f), `agent-runner's output holds ${f}`);
}

test('claude on a provider: the key from a key command and the gateway path reach Claude Code; the key is nowhere we wrote', async () => {
  const r = await providerRound('claude', 'anthropic', '', '{ opus = "gw-opus-1", sonnet = "gw-sonnet-1", haiku = "gw-haiku-1" }');
  assertProviderUsed(r, 'claude');
  // the tiers: the loop's requests ask for one of the provider's models
  for (const q of r.main) assert.ok(['gw-opus-1', 'gw-sonnet-1', 'gw-haiku-1'].includes((q.body as { model: string }).model), (q.body as { model: string }).model);
});

test('codex on a provider: a generated CODEX_HOME config points Codex at the gateway with the key; the key is nowhere we wrote', async () => {
  const r = await providerRound('codex', 'openai-compatible', '/v1', '{ default = "gpt-5.5" }');
  assertProviderUsed(r, 'codex');
  for (const q of r.main) assert.equal((q.body as { model: string }).model, 'gpt-5.5');
  const config = fs.readFileSync(path.join(r.project.stateDir, 'providers', 'gw', 'codex', 'config.toml'), 'utf8');
  assert.match(config, /env_key = "OPENAI_API_KEY"/);
});

test('opencode on a provider: a generated OPENCODE_CONFIG (its bundled anthropic provider at the gateway, the key as {env:VAR}); the key is nowhere we wrote', async () => {
  const r = await providerRound('opencode', 'anthropic', '', '{ default = "claude-sonnet-4-5" }', PLAIN_KEY);
  assertProviderUsed(r, 'opencode');
  const config = fs.readFileSync(path.join(r.project.stateDir, 'providers', 'gw', 'opencode', 'opencode.json'), 'utf8');
  assert.match(config, /"apiKey": "\{env:ANTHROPIC_API_KEY\}"/);
});

test('gemini on a provider: GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL at the gateway, GEMINI_MODEL; the key is nowhere we wrote', async () => {
  const r = await providerRound('gemini', 'gemini', '', '{ default = "gemini-2.5-flash" }');
  assertProviderUsed(r, 'gemini');
  for (const q of r.main) assert.match(q.url, /models\/gemini-2\.5-flash:/);
  // its own home (GEMINI_CLI_HOME): the user's settings carried in with the API-key auth type, and the CLI's
  // state written there, not into the user's ~/.gemini (where only the settings the test wrote are)
  const home = path.join(r.project.stateDir, 'providers', 'gw', 'gemini');
  const settings = JSON.parse(fs.readFileSync(path.join(home, '.gemini', 'settings.json'), 'utf8'));
  assert.equal(settings.security.auth.selectedType, 'gemini-api-key');
  assert.equal(settings.telemetry.enabled, false, "the user's settings came along");
  assert.ok(fs.readdirSync(path.join(home, '.gemini')).length > 1, `the CLI kept nothing in its home: ${fs.readdirSync(path.join(home, '.gemini'))}`);
  assert.deepEqual(fs.readdirSync(path.join(r.home, '.gemini')), ['settings.json'], "the CLI wrote into the user's ~/.gemini");
});
