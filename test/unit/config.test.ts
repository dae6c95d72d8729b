import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ConfigError, EXIT } from '../../src/errors.js';
import { configFingerprint, defaultStateDir, loadConfig, parseConfig } from '../../src/config/load.js';
import { findConfigPath } from '../../src/config/find-config.js';
import { renderConfigurationDoc, renderExampleToml, tomlString } from '../../src/config/example.js';
import { SCHEMA } from '../../src/config/schema.js';
import { closest } from '../../src/config/did-you-mean.js';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';

const ENV = { HOME: '/home/u', XDG_STATE_HOME: '/xdg/state' };
const CFG = '/proj/app/agent-runner.toml';
const BASE = '[agent]\ncommand = ["agent"]\n';

function parse(text: string, file = CFG) {
  return parseConfig(text, file, { env: ENV });
}

/** The error must be a ConfigError (exit 78) on one line naming the file and everything in `parts`. */
function configError(f: () => unknown, ...parts: string[]): string {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  const msg = caught.message;
  assert.equal(caught.exitCode, EXIT.CONFIG);
  assert.equal(caught.exitCode, 78);
  assert.doesNotMatch(msg, /[\n\r]/, 'one line');
  for (const p of parts) assert.ok(msg.includes(p), `message ${JSON.stringify(msg)} should include ${JSON.stringify(p)}`);
  return msg;
}

describe('parseConfig: defaults and resolution', () => {
  test('a minimal config gets every default', () => {
    const c = parse(BASE);
    assert.equal(c.configPath, CFG);
    assert.equal(c.workDir, '/proj/app');
    assert.equal(c.project, 'app');
    assert.deepEqual(c.agent, { command: ['agent'], env: {}, env_mode: 'inherit', providers: [], provider_select: 'order', continue_session: false, max_session_rounds: 10 });
    assert.deepEqual(c.providers, {});
    assert.deepEqual(c.runtime, {
      round_timeout_s: 1800,
      kill_grace_s: 5,
      restart_delay_s: 5,
      stall_timeout_s: 0,
      result_grace_s: 30,
      min_free_mb: 50,
      containment: 'auto',
      keep_failed_tmp: 0,
      state_dir: defaultStateDir('/proj/app', ENV),
    });
    assert.deepEqual(c.prompt, { files: ['/proj/app/prompts/main.md'] });
    assert.deepEqual(c.vcs, { dirty_action: 'stash', keep_rounds: 500, backup_timeout_s: 120 });
    assert.deepEqual(c.phases, []);
    assert.deepEqual(c.serve, { crash_loop_threshold: 5, quick_failure_s: 60, backoff_base_s: 10, backoff_max_s: 1800, denied_rounds_stop: 3, model_check: true, no_progress_rounds: 3, on_no_progress: 'pause', no_progress_pause_s: 3600, same_error_rounds: 3, stop_on_auth: true });
    assert.deepEqual(c.pricing, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, cached_usd_per_mtok: 0 });
    assert.deepEqual(c.hooks, { post_round_mark: 'post_round_failed', timeout_s: 120 });
  });

  test('the default state dir: $XDG_STATE_HOME/agent-runner/<project>-<8 hex of sha256 of the real work dir>', () => {
    const hash = crypto.createHash('sha256').update('/proj/app').digest('hex').slice(0, 8);
    assert.equal(parse(BASE).runtime.state_dir, `/xdg/state/agent-runner/app-${hash}`);
    const noXdg = parseConfig(BASE, CFG, { env: { HOME: '/home/u' } });
    assert.equal(noXdg.runtime.state_dir, `/home/u/.local/state/agent-runner/app-${hash}`);
    // the XDG spec says a relative XDG_STATE_HOME is to be ignored
    const relXdg = parseConfig(BASE, CFG, { env: { HOME: '/home/u', XDG_STATE_HOME: 'rel' } });
    assert.equal(relXdg.runtime.state_dir, `/home/u/.local/state/agent-runner/app-${hash}`);
  });

  test('two projects of the same name get different default state dirs', () => {
    const a = parse(BASE, '/one/proj/agent-runner.toml');
    const b = parse(BASE, '/two/proj/agent-runner.toml');
    assert.equal(a.project, 'proj');
    assert.equal(b.project, 'proj');
    assert.notEqual(a.runtime.state_dir, b.runtime.state_dir);
    assert.match(path.basename(a.runtime.state_dir), /^proj-[0-9a-f]{8}$/);
    assert.match(path.basename(b.runtime.state_dir), /^proj-[0-9a-f]{8}$/);
  });

  test('relative paths resolve against the config file, ~/ against HOME', () => {
    const c = parse(
      BASE +
        '[runtime]\nwork_dir = "../work"\nstate_dir = "~/st"\n[prompt]\nfiles = ["p/a.md", "/abs/b.md"]\n' +
        '[[phases]]\nname = "build"\nprompt_file = "p/build.md"\nround_timeout_s = 60\n' +
        '[[phases]]\nname = "review"\nprompt_files = ["r1.md", "r2.md"]\n' +
        '[[phases]]\nname = "plain"\n',
    );
    assert.equal(c.workDir, '/proj/work');
    assert.equal(c.project, 'work');
    assert.equal(c.runtime.state_dir, '/home/u/st');
    assert.deepEqual(c.prompt.files, ['/proj/app/p/a.md', '/abs/b.md']);
    assert.deepEqual(c.phases, [
      { name: 'build', round_timeout_s: 60, prompt_files: ['/proj/app/p/build.md'] },
      { name: 'review', prompt_files: ['/proj/app/r1.md', '/proj/app/r2.md'] },
      { name: 'plain' },
    ]);
  });

  test('every key set explicitly is taken as given', () => {
    const c = parse(
      '[agent]\ncommand = ["a", "{prompt}"]\ncontinue_session = true\nmax_session_rounds = 3\n[agent.env]\nFOO = "1"\n_x2 = ""\n' +
        '[runtime]\nround_timeout_s = 0.5e1\nkill_grace_s = 0\nrestart_delay_s = 86400\nstall_timeout_s = 90\nresult_grace_s = 0\nkeep_failed_tmp = 1\nstate_dir = "/s"\n' +
        'containment = "cgroup"\nmemory_max_mb = 512\npids_max = 64\ncpu_weight = 20\n' +
        '[vcs]\ndirty_action = "commit"\n' +
        '[serve]\ncrash_loop_threshold = 1000\nquick_failure_s = 0\nbackoff_base_s = 7\nbackoff_max_s = 7\ndenied_rounds_stop = 0\nmodel_check = false\nstop_on_auth = false\n' +
        '[pricing]\ninput_usd_per_mtok = 1.25\noutput_usd_per_mtok = 10\ncached_usd_per_mtok = 0.125\n' +
        '[hooks]\npre_round = "git pull"\npost_round = "npm test"\npost_round_mark = "tests_failed"\non_stop = "notify.sh"\ntimeout_s = 30\n',
    );
    assert.deepEqual(c.agent, { command: ['a', '{prompt}'], env: { FOO: '1', _x2: '' }, env_mode: 'inherit', providers: [], provider_select: 'order', continue_session: true, max_session_rounds: 3 });
    assert.deepEqual(c.hooks, { pre_round: 'git pull', post_round: 'npm test', post_round_mark: 'tests_failed', on_stop: 'notify.sh', timeout_s: 30 });
    assert.deepEqual(c.runtime, { round_timeout_s: 5, kill_grace_s: 0, restart_delay_s: 86400, stall_timeout_s: 90, result_grace_s: 0, min_free_mb: 50, keep_failed_tmp: 1, state_dir: '/s', containment: 'cgroup', memory_max_mb: 512, pids_max: 64, cpu_weight: 20 });
    assert.equal(c.vcs.dirty_action, 'commit');
    assert.deepEqual(c.serve, { crash_loop_threshold: 1000, quick_failure_s: 0, backoff_base_s: 7, backoff_max_s: 7, denied_rounds_stop: 0, model_check: false, no_progress_rounds: 3, on_no_progress: 'pause', no_progress_pause_s: 3600, same_error_rounds: 3, stop_on_auth: false });
    assert.deepEqual(c.pricing, { input_usd_per_mtok: 1.25, output_usd_per_mtok: 10, cached_usd_per_mtok: 0.125 });
  });

  test('a byte-order mark is tolerated', () => {
    assert.deepEqual(parse('\uFEFF' + BASE).agent.command, ['agent']);
  });

  test('an existing work dir is resolved to its real path (symlinks), and project is its base name', () => {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, 'real-proj'));
    fs.symlinkSync(path.join(root, 'real-proj'), path.join(root, 'link'));
    const c = parse(BASE + '[runtime]\nwork_dir = "link"\n', path.join(root, 'agent-runner.toml'));
    assert.equal(c.workDir, path.join(root, 'real-proj'));
    assert.equal(c.project, 'real-proj');
    assert.equal(c.runtime.state_dir, defaultStateDir(path.join(root, 'real-proj'), ENV));
  });

  test('configFingerprint is the sha256 of the text', () => {
    assert.equal(configFingerprint(BASE), crypto.createHash('sha256').update(BASE).digest('hex'));
    assert.notEqual(configFingerprint(BASE), configFingerprint(BASE + '\n'));
  });
});

// Each bad config: [what, text, parts the one-line message must include]
const BAD: Array<[string, string, string[]]> = [
  ['TOML syntax error, with the line', BASE + '[runtime\n', ['agent-runner.toml:3:', 'TOML syntax error', 'line 3']],
  ['TOML syntax: a bare string', '[agent]\ncommand = [claude]\n', [':2:', 'TOML syntax error']],
  ['TOML: a key defined twice', BASE + '[vcs]\ndirty_action = "stash"\ndirty_action = "commit"\n', [':5:', 'TOML syntax error']],
  ['unknown key, close to a known one', BASE + '[runtime]\nround_timout_s = 5\n', ['`runtime.round_timout_s`', 'did you mean `runtime.round_timeout_s`?']],
  ['stop_on_auth quoted', BASE + '[serve]\nstop_on_auth = "yes"\n', ['`serve.stop_on_auth` must be a boolean', 'not a string', 'stop_on_auth = true']],
  ['a negative price', BASE + '[pricing]\noutput_usd_per_mtok = -1\n', ['`pricing.output_usd_per_mtok` = -1 is out of range']],
  ['stall_timeout_s negative', BASE + '[runtime]\nstall_timeout_s = -5\n', ['`runtime.stall_timeout_s` = -5 is out of range']],
  ['unknown key, case and dash', BASE + '[runtime]\nKill-Grace-S = 5\n', ['`runtime.Kill-Grace-S`', 'did you mean `runtime.kill_grace_s`?']],
  ['unknown key of another section', BASE + 'round_timeout_s = 5\n', ['`agent.round_timeout_s`', 'did you mean `runtime.round_timeout_s`?', '[runtime]']],
  ['unknown key, nothing close', BASE + '[vcs]\nzzzzzzzz = 1\n', ['`vcs.zzzzzzzz`', 'remove it', 'dirty_action']],
  ['unknown section, close', BASE + '[runtim]\nround_timeout_s = 5\n', ['unknown section [runtim]', 'did you mean [runtime]?']],
  ['unknown section, nothing close', BASE + '[qqqqqqq]\n', ['unknown section [qqqqqqq]', '[agent]', '[serve]']],
  ['a key above the first section', 'command = ["x"]\n', ['`command`', 'agent.command', '[agent]']],
  ['a sub-table where none is allowed', BASE + '[runtime.extra]\nx = 1\n', ['`runtime.extra`']],
  ['a section that is not a table', 'agent = "claude"\n', ['`agent` must be a table', 'not a string']],
  ['agent.command missing', '[runtime]\nround_timeout_s = 5\n', ['`agent.command` is missing', 'command = [']],
  ['agent.command empty', '[agent]\ncommand = []\n', ['`agent.command` is empty']],
  ['agent.command as a string', '[agent]\ncommand = "claude -p"\n', ['`agent.command` must be an array of strings', 'command = ["claude", "-p"]']],
  ['agent.command element not a string', '[agent]\ncommand = ["a", 3]\n', ['`agent.command[2]` must be a string', 'not a number (3)']],
  ['agent.command program empty', '[agent]\ncommand = ["", "x"]\n', ['`agent.command[1]`', 'empty']],
  ['agent.command with NUL', '[agent]\ncommand = ["a\\u0000b"]\n', ['`agent.command[1]`', 'NUL']],
  ['agent.env not a table', '[agent]\ncommand = ["a"]\nenv = "X=1"\n', ['`agent.env` must be a table']],
  ['agent.env bad name', BASE + 'env = { "1BAD" = "x" }\n', ['`agent.env`', '"1BAD"', 'not a valid environment variable name']],
  ['agent.env value not a string', BASE + 'env = { FOO = 1 }\n', ['`agent.env.FOO` must be a string', 'FOO = "1"']],
  ['agent.env reserved name', BASE + 'env = { AGENT_RUNNER_ROUND_TAG = "x" }\n', ['`agent.env.AGENT_RUNNER_ROUND_TAG`', 'reserved']],
  ['number as a string', BASE + '[runtime]\nround_timeout_s = "30m"\n', ['`runtime.round_timeout_s` must be a number 1..604800', 'not a string ("30m")', 'round_timeout_s = 1800']],
  ['number as a date', BASE + '[runtime]\nround_timeout_s = 1979-05-27T07:32:00Z\n', ['`runtime.round_timeout_s`', 'not a date/time']],
  ['number as a local time', BASE + '[serve]\nbackoff_base_s = 07:32:00\n', ['`serve.backoff_base_s`', 'not a date/time']],
  ['number as a boolean', BASE + '[runtime]\nkill_grace_s = true\n', ['`runtime.kill_grace_s`', 'not a boolean (true)']],
  ['number as an array', BASE + '[runtime]\nrestart_delay_s = [1]\n', ['`runtime.restart_delay_s`', 'not an array']],
  ['round_timeout_s too low', BASE + '[runtime]\nround_timeout_s = 0\n', ['`runtime.round_timeout_s` = 0 is out of range', 'from 1 to 604800']],
  ['round_timeout_s too high', BASE + '[runtime]\nround_timeout_s = 604801\n', ['`runtime.round_timeout_s` = 604801']],
  ['round_timeout_s nan', BASE + '[runtime]\nround_timeout_s = nan\n', ['`runtime.round_timeout_s` = NaN']],
  ['round_timeout_s inf', BASE + '[runtime]\nround_timeout_s = inf\n', ['`runtime.round_timeout_s` = Infinity']],
  ['kill_grace_s negative', BASE + '[runtime]\nkill_grace_s = -1\n', ['`runtime.kill_grace_s` = -1', 'from 0 to 600']],
  ['kill_grace_s too high', BASE + '[runtime]\nkill_grace_s = 600.5\n', ['`runtime.kill_grace_s` = 600.5']],
  ['restart_delay_s too high', BASE + '[runtime]\nrestart_delay_s = 86401\n', ['`runtime.restart_delay_s` = 86401', 'from 0 to 86400']],
  ['keep_rounds zero', BASE + '[vcs]\nkeep_rounds = 0\n', ['`vcs.keep_rounds` = 0', 'whole number from 1 to 1000000']],
  ['crash_loop_threshold zero', BASE + '[serve]\ncrash_loop_threshold = 0\n', ['`serve.crash_loop_threshold` = 0', 'whole number from 1 to 1000']],
  ['crash_loop_threshold fraction', BASE + '[serve]\ncrash_loop_threshold = 2.5\n', ['`serve.crash_loop_threshold` = 2.5', 'whole number']],
  ['crash_loop_threshold too high', BASE + '[serve]\ncrash_loop_threshold = 1001\n', ['`serve.crash_loop_threshold` = 1001']],
  ['quick_failure_s negative', BASE + '[serve]\nquick_failure_s = -0.1\n', ['`serve.quick_failure_s` = -0.1']],
  ['backoff_base_s too high', BASE + '[serve]\nbackoff_base_s = 86401\n', ['`serve.backoff_base_s` = 86401']],
  ['backoff_max_s zero', BASE + '[serve]\nbackoff_max_s = 0\n', ['`serve.backoff_max_s` = 0', 'from 1 to 604800']],
  ['backoff_max_s below backoff_base_s', BASE + '[serve]\nbackoff_base_s = 100\nbackoff_max_s = 50\n', ['`serve.backoff_max_s` (50)', '`serve.backoff_base_s` (100)']],
  ['backoff_max_s below the default base', BASE + '[serve]\nbackoff_max_s = 5\n', ['`serve.backoff_max_s` (5)', '`serve.backoff_base_s` (10)']],
  ['dirty_action unknown, close', BASE + '[vcs]\ndirty_action = "stassh"\n', ['`vcs.dirty_action` = "stassh" is not allowed', '"stash", "commit", "ignore"', 'did you mean "stash"?']],
  ['dirty_action unknown, far', BASE + '[vcs]\ndirty_action = "discard"\n', ['`vcs.dirty_action`', '"stash", "commit", "ignore"']],
  ['dirty_action not a string', BASE + '[vcs]\ndirty_action = 1\n', ['`vcs.dirty_action` must be one of "stash", "commit", "ignore"']],
  ['prompt.file and prompt.files', BASE + '[prompt]\nfile = "a.md"\nfiles = ["b.md"]\n', ['`prompt.file`', '`prompt.files`', 'both set', 'keep one']],
  ['prompt.files empty', BASE + '[prompt]\nfiles = []\n', ['`prompt.files` is empty']],
  ['prompt.file not a string', BASE + '[prompt]\nfile = ["a.md"]\n', ['`prompt.file` must be a path (string)', 'not an array']],
  ['prompt.file empty', BASE + '[prompt]\nfile = ""\n', ['`prompt.file` is empty']],
  ['state_dir not a string', BASE + '[runtime]\nstate_dir = 5\n', ['`runtime.state_dir` must be a path (string)']],
  ['work_dir empty', BASE + '[runtime]\nwork_dir = ""\n', ['`runtime.work_dir` is empty']],
  ['phases as a single table', BASE + '[phases]\nname = "a"\n', ['`phases` must be an array of tables', '[[phases]]']],
  ['phase without a name', BASE + '[[phases]]\nround_timeout_s = 5\n', ['`phases[1].name` is missing']],
  ['phase name not allowed', BASE + '[[phases]]\nname = "Build It"\n', ['`phases[1].name` "Build It" is not allowed', 'lowercase']],
  ['phase name duplicate', BASE + '[[phases]]\nname = "a"\n[[phases]]\nname = "b"\n[[phases]]\nname = "a"\n', ['`phases[3].name` "a"', 'unique']],
  ['phase unknown key', BASE + '[[phases]]\nname = "a"\npromt_file = "x.md"\n', ['`phases[1].promt_file`', 'did you mean `phases[1].prompt_file`?']],
  ['phase prompt_file and prompt_files', BASE + '[[phases]]\nname = "a"\nprompt_file = "x"\nprompt_files = ["y"]\n', ['`phases[1].prompt_file`', '`phases[1].prompt_files`']],
  ['phase round_timeout_s out of range', BASE + '[[phases]]\nname = "a"\nround_timeout_s = 0\n', ['`phases[1].round_timeout_s` = 0']],
  ['a key name with a newline stays on one line', BASE + '[vcs]\n"bad\\nkey" = 1\n', ['unknown key', '\\n']],
];

describe('parseConfig: each bad config gives one ConfigError line naming the key and the fix', () => {
  for (const [what, text, parts] of BAD) {
    test(what, () => {
      configError(() => parse(text), CFG, ...parts);
    });
  }

  test('phases as an array of strings', () => {
    configError(() => parse('phases = ["a"]\n' + BASE), '`phases[1]` must be a table', 'not a string ("a")');
  });
});

describe('loadConfig', () => {
  test('loads a file; relative paths resolve against its directory, not the cwd', () => {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, 'work'));
    const file = path.join(root, 'agent-runner.toml');
    fs.writeFileSync(file, BASE + '[runtime]\nwork_dir = "work"\n[prompt]\nfile = "p.md"\n');
    const c = loadConfig(path.relative(process.cwd(), file));
    assert.equal(c.configPath, file);
    assert.equal(c.workDir, path.join(root, 'work'));
    assert.equal(c.project, 'work');
    assert.deepEqual(c.prompt.files, [path.join(root, 'p.md')]);
  });

  test('a missing file', () => {
    const file = path.join(tmpDir(), 'agent-runner.toml');
    configError(() => loadConfig(file), file, 'no such file', 'agent-runner init', '--config');
  });

  test('an unreadable file (a directory)', () => {
    const dir = tmpDir();
    configError(() => loadConfig(dir), dir, 'is a directory');
  });

  test('a work dir that does not exist', () => {
    const root = tmpDir();
    const file = path.join(root, 'agent-runner.toml');
    fs.writeFileSync(file, BASE + '[runtime]\nwork_dir = "nope"\n');
    configError(() => loadConfig(file), file, '`runtime.work_dir`', path.join(root, 'nope'), 'does not exist');
  });

  test('a work dir that is a file', () => {
    const root = tmpDir();
    const file = path.join(root, 'agent-runner.toml');
    fs.writeFileSync(file, BASE + '[runtime]\nwork_dir = "agent-runner.toml"\n');
    configError(() => loadConfig(file), '`runtime.work_dir`', 'is not a directory');
  });

  test('parseConfig of a missing work dir keeps the resolved path', () => {
    const c = parse(BASE + '[runtime]\nwork_dir = "/nonexistent/xyz"\n');
    assert.equal(c.workDir, '/nonexistent/xyz');
    assert.equal(c.project, 'xyz');
  });
});

describe('findConfigPath', () => {
  test('an explicit path wins, resolved against cwd', () => {
    assert.equal(findConfigPath('x/c.toml', '/a/b', { AGENT_RUNNER_CONFIG: '/env.toml' }), '/a/b/x/c.toml');
  });

  test('then $AGENT_RUNNER_CONFIG', () => {
    assert.equal(findConfigPath(undefined, '/a/b', { AGENT_RUNNER_CONFIG: 'e.toml' }), '/a/b/e.toml');
  });

  test('then agent-runner.toml in cwd or the nearest directory above', () => {
    const root = tmpDir();
    const deep = path.join(root, 'x', 'y', 'z');
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(root, 'agent-runner.toml'), BASE);
    assert.equal(findConfigPath(undefined, deep, {}), path.join(root, 'agent-runner.toml'));
    fs.writeFileSync(path.join(root, 'x', 'agent-runner.toml'), BASE);
    assert.equal(findConfigPath(undefined, deep, {}), path.join(root, 'x', 'agent-runner.toml'));
    // a directory of that name is not a config file
    fs.mkdirSync(path.join(deep, 'agent-runner.toml'));
    assert.equal(findConfigPath(undefined, deep, {}), path.join(root, 'x', 'agent-runner.toml'));
  });

  test('none: a ConfigError with the fix', () => {
    const dir = tmpDir();
    // skip past a stray config in a parent of the scratch dir, if any, by checking what we expect first
    const stray = findStray(dir);
    if (stray) assert.equal(findConfigPath(undefined, dir, {}), stray);
    else configError(() => findConfigPath(undefined, dir, {}), dir, 'agent-runner init', '--config PATH');
  });
});

function findStray(dir: string): string | null {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const f = path.join(d, 'agent-runner.toml');
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
    if (path.dirname(d) === d) return null;
  }
}

describe('generated files', () => {
  test('agent-runner.toml.example is renderExampleToml(), byte for byte, and parses', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'agent-runner.toml.example'), 'utf8');
    assert.equal(text, renderExampleToml());
    const c = parse(text);
    assert.equal(c.agent.command[0], 'claude');
    assert.equal(c.runtime.round_timeout_s, 1800);
  });

  test('docs/configuration.md is renderConfigurationDoc(), byte for byte', () => {
    assert.equal(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8'), renderConfigurationDoc());
  });

  test('every key of the schema is in the example and the docs', () => {
    const example = renderExampleToml();
    const doc = renderConfigurationDoc();
    for (const s of SCHEMA) {
      for (const k of s.keys) {
        assert.match(example, new RegExp(`^(# )?${k.key} = `, 'm'), `${s.name}.${k.key} in the example`);
        assert.ok(doc.includes(`| \`${k.key}\` |`), `${s.name}.${k.key} in the docs`);
      }
    }
  });

  test('uncommenting every default in the example gives the same config', () => {
    // file/files and prompt_file/prompt_files are exclusive; keep the first of each pair, and the phase block;
    // keys shown with an example value and no default (env, the [budget] limits, [schedule], the dashboard token, the round's limits, backup_remote, until, max_runtime, [completion] command) stay commented
    const lines = renderExampleToml().split('\n');
    const phaseAt = lines.indexOf('# [[phases]]');
    const live = lines
      .slice(0, phaseAt)
      .map((l) => (/^# [a-z_]+ = /.test(l) && !/^# (files|env|state_dir|work_dir|cost_usd|tokens|rounds|active|timezone|token|pre_round|post_round|on_stop|command|memory_max_mb|pids_max|cpu_weight|backup_remote|until|max_runtime|providers) = /.test(l) ? l.slice(2) : l))
      .join('\n');
    assert.deepEqual(parse(live), parse(renderExampleToml()));
  });
});

describe('did you mean', () => {
  test('close names only', () => {
    assert.equal(closest('round_timout_s', ['round_timeout_s', 'kill_grace_s']), 'round_timeout_s');
    assert.equal(closest('COMMAND', ['command', 'env']), 'command');
    assert.equal(closest('foo', ['command', 'env']), undefined);
  });
});

// ---- never anything but a ConfigError, whatever the input ------------------------------------------------

function neverThrowsOtherwise(text: string): void {
  try {
    const c = parseConfig(text, CFG, { env: ENV });
    // whatever passes is within the schema's bounds
    assert.ok(c.agent.command.length > 0 && c.agent.command[0] !== '');
    assert.ok(c.runtime.round_timeout_s >= 1 && c.runtime.round_timeout_s <= 604800);
    assert.ok(c.serve.backoff_max_s >= c.serve.backoff_base_s);
    assert.ok(Number.isInteger(c.serve.crash_loop_threshold));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    assert.equal(e.exitCode, 78);
    assert.doesNotMatch(e.message, /[\n\r\u0000-\u001f]/);
  }
}

const anyScalar = fc.oneof(
  fc.integer({ min: -1e6, max: 1e7 }).map(String),
  fc.double().map((d) => (Number.isNaN(d) ? 'nan' : d === Infinity ? 'inf' : d === -Infinity ? '-inf' : String(d).replace('e+', 'e'))),
  fc.string({ unit: 'binary', maxLength: 12 }).map(tomlString),
  fc.boolean().map(String),
  fc.constantFrom('1979-05-27T07:32:00Z', '1979-05-27', '07:32:00', '0x10', '0o7', '1_000', '"stash"', '"commit"', '"ignore"'),
);
const anyValue = fc.oneof(
  anyScalar,
  fc.array(anyScalar, { maxLength: 4 }).map((a) => `[${a.join(', ')}]`),
  fc.dictionary(fc.string({ maxLength: 6 }), anyScalar, { maxKeys: 3 }).map(
    (d) => `{ ${Object.entries(d).map(([k, v]) => `${tomlString(k)} = ${v}`).join(', ')} }`,
  ),
);
const knownKeys = SCHEMA.flatMap((s) => s.keys.map((k) => k.key));
const anyKey = fc.oneof(fc.constantFrom(...knownKeys), fc.string({ minLength: 1, maxLength: 8 }).map(tomlString));
const anyHeader = fc.oneof(
  fc.constantFrom(...SCHEMA.map((s) => (s.kind === 'array' ? `[[${s.name}]]` : `[${s.name}]`)), '[agent.env]', '[runtime.x]', '[[agent]]'),
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `[${tomlString(s)}]`),
);
const tomlish = fc
  .array(fc.oneof(anyHeader, fc.tuple(anyKey, anyValue).map(([k, v]) => `${k} = ${v}`)), { maxLength: 12 })
  .map((lines) => lines.join('\n'));

describe('fuzz: nothing but a ConfigError escapes', () => {
  test('random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), neverThrowsOtherwise), { numRuns: 400 });
  });

  test('TOML-ish text', () => {
    fc.assert(fc.property(tomlish, neverThrowsOtherwise), { numRuns: 1500 });
  });

  test('random values for every known key, in its own section', () => {
    const sections = SCHEMA.map((s) =>
      fc.record(Object.fromEntries(s.keys.map((k) => [k.key, fc.option(anyValue, { nil: undefined })]))).map((rec) => {
        const lines = Object.entries(rec).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = ${v}`);
        return `${s.kind === 'array' ? `[[${s.name}]]` : s.kind === 'named' ? `[${s.name}.x]` : `[${s.name}]`}\n${lines.join('\n')}`;
      }),
    );
    fc.assert(fc.property(fc.tuple(...sections), (parts) => neverThrowsOtherwise(parts.join('\n'))), { numRuns: 1500 });
  });

  test('valid configs with random in-range values parse to those values', () => {
    const arb = fc.record({
      t: fc.integer({ min: 1, max: 604800 }),
      g: fc.double({ min: 0, max: 600, noNaN: true }),
      n: fc.integer({ min: 1, max: 1000 }),
      a: fc.constantFrom('stash', 'commit', 'ignore'),
      cmd: fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ t, g, n, a, cmd }) => {
        const text = `[agent]\ncommand = [${cmd.map(tomlString).join(', ')}]\n[runtime]\nround_timeout_s = ${t}\nkill_grace_s = ${g}\n[vcs]\ndirty_action = "${a}"\n[serve]\ncrash_loop_threshold = ${n}\n`;
        const c = parse(text);
        assert.deepEqual(c.agent.command, cmd);
        assert.equal(c.runtime.round_timeout_s, t);
        assert.equal(c.runtime.kill_grace_s, g);
        assert.equal(c.serve.crash_loop_threshold, n);
        assert.equal(c.vcs.dirty_action, a);
      }),
      { numRuns: 300 },
    );
  });
});
