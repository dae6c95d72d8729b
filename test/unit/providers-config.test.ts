import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { roundProvider } from '../../src/round/provider.js';

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
