import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { PRESETS, isPresetName, packageRoot, renderConfigToml, type PresetName } from '../../src/agents/presets.js';
import { REPO_ROOT } from '../helpers/env.js';
import { rootRefusal } from '../../src/agents/agent-cli.js';
import { ADAPTERS } from '../../src/agents/registry.js';

const CFG = '/srv/proj/agent-runner.toml';
const ENV = { HOME: '/home/u' };

const EXPECTED: Record<PresetName, { command: string[]; viaStdin: boolean }> = {
  claude: {
    command: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
    viaStdin: true,
  },
  codex: { command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '-c', 'sandbox_workspace_write.writable_roots=[".git","{state_dir}"]', '-'], viaStdin: true },
  aider: {
    command: ['aider', '--yes-always', '--no-check-update', '--no-pretty', '--no-stream', '--message', '{prompt}'],
    viaStdin: false,
  },
  gemini: { command: ['gemini', '--yolo', '--skip-trust', '--output-format', 'stream-json', '--prompt', '{prompt}'], viaStdin: false },
  opencode: { command: ['opencode', 'run', '--format', 'json', '--auto', '--print-logs', '{prompt}'], viaStdin: false },
  kilo: { command: ['kilo', 'run', '--format', 'json', '--auto', '--print-logs', '{prompt}'], viaStdin: false },
  qwen: { command: ['qwen', '--yolo', '--prompt', '{prompt}'], viaStdin: false },
  demo: { command: ['bash', path.join(REPO_ROOT, 'templates', 'demo', 'demo-agent.sh')], viaStdin: true },
};

describe('presets', () => {
  test('packageRoot() is the repository root', () => {
    assert.equal(packageRoot(), REPO_ROOT);
  });

  test('the presets, by name', () => {
    assert.deepEqual(Object.keys(PRESETS).sort(), ['aider', 'claude', 'codex', 'demo', 'gemini', 'kilo', 'opencode', 'qwen']);
    assert.ok(isPresetName('codex'));
    assert.ok(!isPresetName('toString'));
    assert.ok(!isPresetName('gpt'));
  });

  for (const name of Object.keys(EXPECTED) as PresetName[]) {
    test(`${name}: the rendered config parses and has the expected command`, () => {
      const p = PRESETS[name];
      assert.equal(p.name, name);
      assert.ok(p.description.length > 0);
      assert.ok(p.notes.length > 0);
      assert.deepEqual(p.command, EXPECTED[name].command);
      const viaStdin = !p.command.some((a) => a.includes('{prompt}'));
      assert.equal(viaStdin, EXPECTED[name].viaStdin, 'how the prompt is delivered');

      const text = renderConfigToml(p, { promptFile: 'prompts/main.md' });
      const c = parseConfig(text, CFG, { env: ENV });
      assert.deepEqual(c.agent.command, p.command);
      assert.deepEqual(c.agent.env, p.env);
      assert.deepEqual(c.prompt.files, ['/srv/proj/prompts/main.md']);
      assert.equal(c.runtime.round_timeout_s, 1800);
      // the notes are in the file, as comments
      assert.ok(text.includes(p.notes[0].split(' ')[0]));
    });
  }

  test('claude: headless env', () => {
    assert.deepEqual(PRESETS.claude.env, { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' });
  });

  test('odd prompt file names round-trip', () => {
    for (const promptFile of ['my prompts/"main".md', 'ünï\\cödé.md', '/abs/p\tq.md']) {
      const c = parseConfig(renderConfigToml(PRESETS.codex, { promptFile }), CFG, { env: ENV });
      assert.deepEqual(c.prompt.files, [path.resolve('/srv/proj', promptFile)]);
    }
  });
});

test('agent_as_root: Claude Code with --dangerously-skip-permissions as root is refused unless IS_SANDBOX=1', () => {
  const claude = ['claude', '-p', '--dangerously-skip-permissions', '--output-format', 'stream-json'];
  assert.match(rootRefusal(claude, {}, 0) ?? '', /^Claude Code refuses --dangerously-skip-permissions as root: .*IS_SANDBOX = "1" to \[agent\.env\]$/);
  assert.match(rootRefusal(['npx', '@anthropic-ai/claude-code', '--dangerously-skip-permissions'], {}, 0) ?? '', /refuses/, 'behind a launcher');
  assert.equal(rootRefusal(claude, { IS_SANDBOX: '1' }, 0), null);
  assert.equal(rootRefusal(claude, {}, 1000), null, 'not root');
  assert.equal(rootRefusal(claude, {}, null), null, 'no uid (not POSIX)');
  assert.equal(rootRefusal(['claude', '-p'], {}, 0), null, 'without the flag');
  assert.equal(rootRefusal(['codex', 'exec', '--dangerously-bypass-approvals-and-sandbox'], {}, 0), null, 'codex runs as root');
});

test("the README's presets table matches the presets: every one, its command, how it takes the prompt", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([a-z]+)` \| (.+?) \| (stdin|argument) \|/gm)].map((m) => ({ name: m[1], command: m[2], prompt: m[3] }));
  assert.deepEqual(rows.map((r) => r.name).sort(), Object.keys(PRESETS).sort(), 'one row per preset');
  for (const r of rows) {
    const p = PRESETS[r.name as PresetName];
    const a = ADAPTERS.find((x) => x.preset.name === r.name)!;
    assert.equal(r.prompt, a.prompt, `${r.name}: prompt`);
    // the demo's command is a path in the checkout: the row describes it instead
    if (r.name !== 'demo') assert.equal(r.command, '`' + p.command.join(' ') + '`', `${r.name}: command`);
  }
});

test('every preset says what proves it: a verified one names a test file that exists and the exact version package.json pins; an unverified one says why', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  // opencode and kilo are pinned in build.sh, not package.json (build.sh says why)
  const buildSh = fs.readFileSync(path.join(REPO_ROOT, 'build.sh'), 'utf8');
  const pins: Record<string, string | undefined> = {
    ...pkg.devDependencies,
    'opencode-ai': /^OPENCODE_VERSION=(\S+)$/m.exec(buildSh)?.[1],
    '@kilocode/cli': /^KILO_VERSION=(\S+)$/m.exec(buildSh)?.[1],
  };
  for (const p of Object.values(PRESETS)) {
    assert.ok(p.proof, `${p.name}: no proof (verified or unverified, and why)`);
    if (!p.proof.verified) {
      assert.ok(p.proof.why.length > 20, `${p.name}: say why it is unverified`);
      continue;
    }
    const file = p.proof.test.split(' ')[0];
    assert.ok(file && fs.existsSync(path.join(REPO_ROOT, file)), `${p.name}: ${p.proof.test} names no test file that exists`);
    const m = /\((\S+) (\d\S*)\)$/.exec(p.proof.test);
    if (m) assert.equal(pins[m[1]], m[2], `${p.name}: the version it was verified with is the one pinned`);
  }
});
