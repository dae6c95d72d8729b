// Shell completion as a shell really runs it: `agent-runner completion bash` sourced in bash and its function
// called with COMP_WORDS as bash sets them; `completion zsh` loaded after compinit in a real zsh in a terminal
// (tmux), completing with Tab. Verbs, flags, presets, and the config's monitor.hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, tmpDir, waitFor } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

/** a bin dir with `agent-runner` in it, as an install puts it on PATH */
function binDir(): string {
  const bin = tmpDir('ar-bin-');
  fs.writeFileSync(path.join(bin, 'agent-runner'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
  return bin;
}

function fleetProject() {
  return makeProject({ extraToml: '[monitor]\nhosts = ["pi", "nas-01", "agent@build-01"]\n' });
}

test('bash: sourced, registered for agent-runner, and completes verbs, flags, presets and monitor.hosts', () => {
  const p = fleetProject();
  const bin = binDir();
  const elsewhere = tmpDir('ar-elsewhere-');
  // comp WORD…: sets COMP_WORDS / COMP_CWORD as bash does for the line, calls the function, prints COMPREPLY sorted
  const script = `set -u
source <(agent-runner completion bash)
complete -p agent-runner
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _agent_runner; printf '%s\\n' "\${COMPREPLY[@]}" | sort | paste -sd' ' -; }
comp agent-runner ''
comp agent-runner ini
comp agent-runner init --preset ''
comp agent-runner serve --
comp agent-runner --utc completion ''
comp agent-runner monitor --host ''
comp agent-runner monitor --interval ''
cd ${JSON.stringify(elsewhere)}
comp agent-runner monitor --host ''
comp agent-runner --config ${JSON.stringify(p.configPath)} monitor --host a
comp agent-runner monitor -c ${JSON.stringify(p.configPath)} --host ''
`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
    cwd: p.dir,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = r.stdout.split('\n');
  assert.equal(out[0], 'complete -F _agent_runner agent-runner');
  const verbs = out[1].split(' ');
  for (const v of ['init', 'round', 'serve', 'start', 'stop', 'status', 'peek', 'watch', 'monitor', 'doctor', 'completion', '--config', '--utc']) {
    assert.ok(verbs.includes(v), `${v} in ${out[1]}`);
  }
  assert.deepEqual(out.slice(2, 11), [
    'init',
    'aider claude codex demo gemini kilo opencode qwen',
    '--help --http --max-rounds --max-runtime --metrics-file --metrics-listen --once --park --quiet --until',
    '--help bash zsh',
    'agent@build-01 nas-01 pi',
    '', // seconds: nothing to offer
    '', // no config here: no hosts, and no error on the command line
    'agent@build-01',
    'agent@build-01 nas-01 pi',
  ]);
});

test('zsh: loaded after compinit in a real terminal, Tab completes verbs, presets and monitor.hosts', async () => {
  const p = fleetProject();
  const bin = binDir();
  const work = tmpDir('ar-zsh-');
  // compinit's dump goes to a file of the test's own (it replaces the file it is given: never /dev/null)
  const check = spawnSync('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -d ${work}/check.zcompdump; source <(agent-runner completion zsh); print -r -- $_comps[agent-runner]`], {
    cwd: p.dir,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}${check.error ?? ""}`);
  assert.equal(check.stdout.trim(), '_agent_runner');

  const rc = path.join(work, '.zshrc');
  fs.writeFileSync(rc, `PS1='%% '\nautoload -U compinit\ncompinit -u -d ${work}/.zcompdump\nsource <(agent-runner completion zsh)\n`);
  const sock = `ar-zsh-${process.pid}-${Date.now()}`;
  const tmux = (...a: string[]) => spawnSync('tmux', ['-L', sock, ...a], { encoding: 'utf8', timeout: 10_000 });
  const screen = () => tmux('capture-pane', '-p', '-t', 'z').stdout ?? '';
  const env = `cd ${JSON.stringify(p.dir)} && PATH=${JSON.stringify(`${bin}:${process.env.PATH}`)} AGENT_RUNNER_CONFIG= ZDOTDIR=${JSON.stringify(work)} exec zsh -i`;
  try {
    const started = tmux('new-session', '-d', '-s', 'z', '-x', '120', '-y', '30', 'bash', '-c', env);
    assert.equal(started.status, 0, `tmux: ${started.stderr}`);
    assert.ok(await waitFor(() => /^%\s*$/m.test(screen()), 15_000), `prompt:\n${screen()}`);
    const complete = async (typed: string, want: RegExp) => {
      tmux('send-keys', '-t', 'z', 'C-u');
      tmux('send-keys', '-t', 'z', '-l', typed);
      tmux('send-keys', '-t', 'z', 'Tab');
      assert.ok(await waitFor(() => want.test(screen()), 15_000), `${typed}<Tab>:\n${screen()}`);
    };
    await complete('agent-runner ini', /^% agent-runner init\s*$/m);
    await complete('agent-runner init --preset cl', /^% agent-runner init --preset claude\s*$/m);
    await complete('agent-runner monitor --host n', /^% agent-runner monitor --host nas-01\s*$/m);
    await complete('agent-runner completion z', /^% agent-runner completion zsh\s*$/m);
  } finally {
    tmux('kill-server');
  }
});

test('completion: an unknown shell is one line and exit 2; `completion hosts` without a config prints nothing', () => {
  const p = makeProject();
  const r = p.run(['completion', 'fish']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'agent-runner: completion: unknown shell "fish": use bash or zsh\n');
  const none = spawnSync(process.execPath, [CLI, 'completion', 'hosts'], { cwd: tmpDir('ar-none-'), env: { ...process.env, AGENT_RUNNER_CONFIG: '' }, encoding: 'utf8' });
  assert.equal(none.status, 0);
  assert.equal(none.stdout + none.stderr, '');
});
