import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { roundProvider } from '../../src/round/provider.js';
import { secretsFileProblem } from '../../src/config/secrets-file.js';
import { tmpDir } from '../helpers/env.js';

const ENV = { HOME: '/home/u', XDG_STATE_HOME: '/xdg/state' };
const CFG = '/proj/app/agent-runner.toml';
const parse = (text: string) => parseConfig(text, CFG, { env: ENV });

function configError(text: string, ...parts: string[]): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.exitCode, 78);
      assert.doesNotMatch(e.message, /\n/);
      for (const p of parts) assert.ok(e.message.includes(p), `${e.message} should include ${p}`);
      return true;
    },
  );
}

const TWO = `[agent]
command = ["claude", "-p"]
providers = ["work", "personal"]
provider_select = "least_used"
env_mode = "clean"

[providers.work]
kind = "anthropic"
base_url = "https://llm.example.com"
api_key = "\${key_command:pass show llm/work}"
models = { opus = "claude-opus-4-5", haiku = "claude-haiku-4-5" }

[providers.personal]
kind = "openai-compatible"
`;

describe('[providers.NAME] and the [agent] provider keys', () => {
  test('two providers load with their names, in the pool order given', () => {
    const c = parse(TWO);
    assert.deepEqual(c.agent.providers, ['work', 'personal']);
    assert.equal(c.agent.provider_select, 'least_used');
    assert.equal(c.agent.env_mode, 'clean');
    assert.deepEqual(c.providers.work, {
      name: 'work',
      kind: 'anthropic',
      base_url: 'https://llm.example.com',
      api_key: '${key_command:pass show llm/work}',
      models: { opus: 'claude-opus-4-5', haiku: 'claude-haiku-4-5' },
    });
    assert.deepEqual(c.providers.personal, { name: 'personal', kind: 'openai-compatible' });
  });

  test('defaults: no providers, order, inherit', () => {
    const c = parse('[agent]\ncommand = ["a"]\n');
    assert.deepEqual(c.providers, {});
    assert.deepEqual(c.agent.providers, []);
    assert.equal(c.agent.provider_select, 'order');
    assert.equal(c.agent.env_mode, 'inherit');
  });

  test('a pool name with no [providers.NAME] is a config error naming it', () => {
    configError(TWO.replace('"work", "personal"', '"work", "spare"'), '`agent.providers[2]` "spare" is not a provider', '[providers.spare]', '"work", "personal"');
  });

  test('the kind is required and checked; unknown keys and bad names are refused', () => {
    configError('[agent]\ncommand = ["a"]\n[providers.x]\nbase_url = "http://h"\n', '`providers.x.kind` is missing', '[providers.NAME]');
    configError('[agent]\ncommand = ["a"]\n[providers.x]\nkind = "antropic"\n', '`providers.x.kind` = "antropic" is not allowed', 'did you mean "anthropic"');
    configError('[agent]\ncommand = ["a"]\n[providers.x]\nkind = "openai"\napi_kee = "x"\n', 'unknown key `providers.x.api_kee`', 'did you mean `providers.x.api_key`');
    configError('[agent]\ncommand = ["a"]\n[providers."Big Name"]\nkind = "openai"\n', '"Big Name" is not allowed as a name');
    configError('[agent]\ncommand = ["a"]\n[providers.x]\nkind = "openai"\nmodels = { opus = 4 }\n', '`providers.x.models.opus` must be a string');
    configError('[agent]\ncommand = ["a"]\nproviders = "x"\n', '`agent.providers` must be an array of strings');
    configError('[agent]\ncommand = ["a"]\n[providers]\nkind = "openai"\n', '`providers.kind` must be a table');
  });

  test('the round picks the named provider, else the first of the pool, else none', () => {
    const c = parse(TWO);
    assert.equal((roundProvider(c, undefined) as { name: string }).name, 'work');
    assert.equal((roundProvider(c, 'personal') as { name: string }).name, 'personal');
    assert.match(roundProvider(c, 'nope') as string, /no provider "nope"/);
    assert.equal(roundProvider(parse('[agent]\ncommand = ["a"]\n'), undefined), null);
  });
});

describe('secrets: no literal key in agent-runner.toml; the secrets file is the user\'s alone', () => {
  const withKey = (key: string) => `[agent]\ncommand = ["claude"]\nproviders = ["w"]\n[providers.w]\nkind = "anthropic"\napi_key = ${JSON.stringify(key)}\n`;

  test('a literal key (known prefix, or long and random) is refused with exit 78, pointing to the secrets file or a template', () => {
    for (const key of ['sk-ant-api03-abcdefghijklmnop', 'sk-proj-abc123', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', 'q8Zt3Lw9Xv2Nc7Rb4Hm6Pk1Js5Df0Ga8Ue3Yi']) {
      configError(withKey(key), '`providers.w.api_key` holds what looks like a key', '~/.config/agent-runner/secrets.toml', '${env:VAR}');
    }
    configError(withKey('x').replace('api_key = "x"', 'base_url = "https://gw.example/v1?key=AIzaSyA1234567890abcdefghijklmnopqrstu"'), '`providers.w.base_url` holds what looks like a key');
    // templates, a short dummy key of a local server, and a commit-like hex string are not keys
    for (const ok of ['${env:WORK_KEY}', '${key_command:pass show llm/work-sk-x}', 'ollama', '0123456789abcdef0123456789abcdef01234567']) {
      assert.equal(parse(withKey(ok)).providers.w.api_key, ok);
    }
  });

  test('a template that is not one is refused at load', () => {
    configError(withKey('${vault:x}'), '`providers.w.api_key` ${vault:…} is not a template');
  });

  const home = tmpDir('ar-secrets-');
  const file = path.join(home, '.config', 'agent-runner', 'secrets.toml');
  const base = '[agent]\ncommand = ["claude"]\nproviders = ["w"]\n[providers.w]\nkind = "anthropic"\n';
  const load = () => parseConfig(base, CFG, { env: { HOME: home, XDG_STATE_HOME: '/xdg/state' } });

  test('a key in the secrets file fills the provider\'s key, marked as from there', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '[providers.w]\napi_key = "sk-ant-api03-from-the-secrets-file"\n[providers.other]\napi_key = "k"\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    const c = load();
    assert.equal(c.providers.w.api_key, 'sk-ant-api03-from-the-secrets-file');
    assert.deepEqual(c.providers.w.fromSecrets, ['api_key']);
  });

  test('a secrets file others may read is refused, with the chmod to run', () => {
    fs.chmodSync(file, 0o644);
    assert.throws(load, (e: unknown) => e instanceof ConfigError && e.exitCode === 78 && e.message.includes(`chmod 600 ${file}`) && e.message.includes('mode 0644'));
    fs.chmodSync(file, 0o600);
  });

  test('a secrets file of another user is refused', () => {
    const st = fs.statSync(file);
    assert.equal(secretsFileProblem(file, st, st.uid), null);
    assert.match(secretsFileProblem(file, st, st.uid + 1) ?? '', /not to you .*chown/);
  });
});
