import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { resolveTemplate, templateProblem, type TemplateContext } from '../../src/config/templates.js';
import { providerRefusal } from '../../src/agents/agent-cli.js';
import { claudeProvider } from '../../src/agents/claude.js';
import { codexProvider } from '../../src/agents/codex.js';
import { ExactStreamRedactor } from '../../src/util/redact-stream.js';
import { tmpDir } from '../helpers/env.js';

const dir = tmpDir('ar-tpl-');
const ctx = (over: Partial<TemplateContext> = {}): TemplateContext => ({ env: { HOME: dir, K: 'from-env' }, baseDir: dir, cache: new Map(), ...over });

async function configError(p: Promise<unknown>, ...parts: string[]): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
  assert.equal(e.exitCode, 78);
  assert.doesNotMatch(e.message, /\n/);
  for (const s of parts) assert.ok(e.message.includes(s), `${e.message} should include ${s}`);
  return e.message;
}

describe('templates', () => {
  test('env, file and key_command are read; text around them is kept', async () => {
    fs.writeFileSync(path.join(dir, 'k'), 'from-file\n');
    assert.equal(await resolveTemplate('${env:K}', 'x', ctx()), 'from-env');
    assert.equal(await resolveTemplate('${file:k}', 'x', ctx()), 'from-file');
    assert.equal(await resolveTemplate('${file:~/k}', 'x', ctx()), 'from-file');
    assert.equal(await resolveTemplate('https://${env:K}/v1', 'x', ctx()), 'https://from-env/v1');
    assert.equal(await resolveTemplate('${key_command:printf "%s\\n" cmd-key}', 'x', ctx()), 'cmd-key');
  });

  test('a key command runs once per context, however often it is named', async () => {
    const count = path.join(dir, 'count');
    const c = ctx();
    const cmd = `\${key_command:echo x >> ${count}; echo k}`;
    await Promise.all([resolveTemplate(cmd, 'a', c), resolveTemplate(cmd, 'b', c)]);
    await resolveTemplate(cmd, 'c', c);
    assert.equal(fs.readFileSync(count, 'utf8'), 'x\n');
  });

  test('failures are one config-error line naming the key and the fix, never the output', async () => {
    const m = await configError(resolveTemplate('${key_command:printf out-%s $((40+2)); exit 3}', 'providers.w.api_key', ctx()), '`providers.w.api_key`', 'exited 3', 'run it yourself');
    assert.ok(!m.includes('out-42'), m);
    await configError(resolveTemplate('${key_command:sleep 30}', 'k', ctx({ timeoutS: 1 })), 'did not finish within 1s');
    await configError(resolveTemplate('${key_command:true}', 'k', ctx()), 'printed nothing');
    await configError(resolveTemplate('${env:NOPE}', 'k', ctx()), 'NOPE is not set');
    await configError(resolveTemplate('${file:missing}', 'k', ctx()), 'cannot read', 'ENOENT');
  });

  test('the syntax is checked at load', () => {
    assert.equal(templateProblem('${env:A}'), null);
    assert.equal(templateProblem('plain'), null);
    assert.match(templateProblem('${vault:x}') ?? '', /is not a template/);
    assert.match(templateProblem('${env:}') ?? '', /names nothing/);
    assert.match(templateProblem('${env:A') ?? '', /not a whole template/);
  });
});

describe('adapters', () => {
  const p = { name: 'w', kind: 'anthropic' as const, baseUrl: 'http://gw/x', apiKey: 'k-123456789', models: { opus: 'o', sonnet: 's', haiku: 'h' }, secrets: [] };
  test('Claude Code: base URL, key, tiers, its own config dir; the operator\'s other credentials dropped', () => {
    const l = claudeProvider(p, '/s/providers/w/claude');
    assert.deepEqual(l.env, {
      CLAUDE_CONFIG_DIR: '/s/providers/w/claude',
      ANTHROPIC_BASE_URL: 'http://gw/x',
      ANTHROPIC_API_KEY: 'k-123456789',
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'o',
      ANTHROPIC_DEFAULT_SONNET_MODEL: 's',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'h',
    });
    assert.ok(l.unset.includes('CLAUDE_CODE_OAUTH_TOKEN') && l.unset.includes('ANTHROPIC_AUTH_TOKEN'));
    assert.equal(claudeProvider({ ...p, apiKey: 'sk-ant-oat01-x' }, '/h').env.CLAUDE_CODE_OAUTH_TOKEN, 'sk-ant-oat01-x');
  });
  test('Codex: a config.toml in its own CODEX_HOME, the key only in the environment', () => {
    const l = codexProvider({ ...p, kind: 'openai-compatible', models: { default: 'm' } }, '/s/h');
    assert.equal(l.env.CODEX_HOME, '/s/h');
    assert.equal(l.env.OPENAI_API_KEY, 'k-123456789');
    assert.equal(l.files[0].path, '/s/h/config.toml');
    assert.match(l.files[0].content, /base_url = "http:\/\/gw\/x"/);
    assert.ok(!l.files[0].content.includes('k-123456789'));
  });
  test('a CLI that cannot speak a kind, or an unknown CLI, is refused with the reason', () => {
    assert.match(providerRefusal(['claude', '-p'], { name: 'o', kind: 'openai' }) ?? '', /kind "openai", which Claude Code cannot use: .*Anthropic/);
    assert.match(providerRefusal(['codex', 'exec'], { name: 'a', kind: 'anthropic' }) ?? '', /Codex cannot use/);
    assert.match(providerRefusal(['./my-agent.sh'], { name: 'a', kind: 'anthropic' }) ?? '', /does not know the CLI/);
    assert.equal(providerRefusal(['claude'], { name: 'a', kind: 'anthropic' }), null);
  });
});

describe('exact redaction of a stream', () => {
  test('a value split across chunks is cut; the rest passes byte for byte', () => {
    const r = new ExactStreamRedactor(['SECRETVALUE']);
    const text = 'a SECRETVALUE b SECRETVALUE';
    for (let cut = 0; cut <= text.length; cut++) {
      const r2 = new ExactStreamRedactor(['SECRETVALUE']);
      const out = Buffer.concat([r2.push(Buffer.from(text.slice(0, cut))), r2.push(Buffer.from(text.slice(cut))), r2.flush()]).toString();
      assert.equal(out, 'a [REDACTED] b [REDACTED]', `cut at ${cut}`);
    }
    assert.equal(Buffer.concat([r.push(Buffer.from('plain')), r.flush()]).toString(), 'plain');
  });
});
