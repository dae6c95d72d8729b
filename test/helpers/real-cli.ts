// One `agent-runner round` of a real agent CLI (its preset command, the pinned binary) against the scripted
// model server, the whole of it (server, agent-runner, CLI) inside a network namespace with loopback only.
import * as fs from 'node:fs';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CLI, git, tmpDir } from './env.js';
import { COMMIT_MESSAGE, WORK_CONTENT, WORK_FILE } from '../model-server/scenarios.js';
import { makeProject, type Project } from './project.js';
import { baseEnv, cliSetup, homeBase, type CliName, type CliSetup, type SetupOptions } from '../model-server/clis.js';
import { isolationProblems, runIsolated } from '../model-server/netns.js';
import type { Job, JobResult } from '../model-server/driver.js';
import type { RecordedRequest } from '../model-server/server.js';
import type { RoundRecord } from '../../src/state/types.js';

export interface RealRound {
  project: Project;
  setup: CliSetup;
  /** the run of agent-runner (its exit, its own output) and what the server saw */
  run: JobResult;
  /** the last round's record */
  record: RoundRecord;
  /** the round log: the CLI's stdout and stderr as agent-runner kept them */
  log: string;
  /** the agent loop's requests */
  main: RecordedRequest[];
  /** the HOME the CLI was given */
  home: string;
}

export interface RealRoundOptions extends Omit<SetupOptions, 'home'> {
  /** round_timeout_s (default 60) */
  timeout?: number;
  /** more lines for [runtime] (stall_timeout_s …) */
  runtimeToml?: string;
  /** replaces the preset's arguments after argv[0] */
  args?: string[];
  /** run the CLI through a user's wrapper script (env set-up, then exec), whose name says nothing of the CLI */
  wrapper?: boolean;
  /** the verb agent-runner runs (default round); serve runs with --max-rounds (default 1) */
  verb?: 'round' | 'serve';
  maxRounds?: number;
  /** lines for [serve] */
  serveToml?: string;
  /** where the repo and the state dir go (default: the system's temp dir, which sandboxes leave writable) */
  baseDir?: string;
  /** lines for [agent], and whole sections appended to the config ([providers.NAME]) */
  agentToml?: string;
  extraToml?: string;
  /** more environment for agent-runner ({{URL}} inside is the server's URL) */
  env?: Record<string, string>;
  /** the server's gateway checks */
  expect?: Job['expect'];
}

export async function realRound(cli: CliName, scenarioName: string, o: RealRoundOptions = {}): Promise<RealRound> {
  const home = tmpDir(`ar-home-${cli}-`, homeBase());
  const setup = cliSetup(cli, { scenario: scenarioName, ...o, home });
  const program = o.wrapper ? writeWrapper(home, setup.command[0]) : setup.command[0];
  const command = o.args ? [program, ...o.args] : [program, ...setup.command.slice(1)];
  const timeout = o.timeout ?? 60;
  const project = makeProject({
    command,
    timeout,
    grace: 2,
    runtimeToml: o.runtimeToml,
    serveToml: o.serveToml,
    agentToml: o.agentToml,
    extraToml: o.extraToml,
    baseDir: o.baseDir,
    agentEnv: { ...setup.presetEnv, HOME: home },
  });
  const run = await runIsolated({
    scenario: scenarioName,
    workDir: project.dir,
    files: setup.files,
    argv: [process.execPath, CLI, '--config', project.configPath, ...(o.verb === 'serve' ? ['serve', '--max-rounds', String(o.maxRounds ?? 1)] : ['round'])],
    cwd: project.dir,
    // agent-runner passes its environment on to the agent: the server's URL and the credential go there
    env: { ...baseEnv(home), AGENT_RUNNER_CONFIG: '', ...setup.env, ...o.env },
    expect: o.expect,
    stdin: null,
    timeoutMs: (timeout + 30) * 1000,
    requestsLog: path.join(home, 'requests.jsonl'),
  });
  const records = project.rounds();
  // serve may run several rounds (its --max-rounds 1 aside, a stop may end it sooner): the last is the record
  const record = records.at(-1);
  if (!record || (o.verb !== 'serve' && records.length > 1)) throw new Error(`expected one round record, got ${records.length}: ${run.stdout}${run.stderr}`);
  const log = record.log && fs.existsSync(record.log) ? fs.readFileSync(record.log, 'utf8') : '';
  return { project, setup, run, record, log, main: run.requests.filter((r) => r.main), home };
}

/** A wrapper such as users write around a CLI: it sets up the environment, then execs the CLI with its arguments. */
function writeWrapper(home: string, bin: string): string {
  const file = path.join(home, 'bin', 'agent-env.sh');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n# the team's set-up before the agent starts\nexport AGENT_TEAM=platform\nexec ${JSON.stringify(bin)} "$@"\n`, { mode: 0o755 });
  return file;
}

/** A short account of a round for assertion messages. */
export function describeRound(r: RealRound): string {
  const reqs = r.run.requests.map((q) => `${q.method} ${q.url} → ${q.answer}${q.notes.length ? ` (${q.notes.join('; ')})` : ''}`).join('\n  ');
  return [
    `record: ${JSON.stringify(r.record)}`,
    `agent-runner exit ${r.run.exit}: ${r.run.stdout}${r.run.stderr}`,
    `requests:\n  ${reqs}`,
    `round log (last 3000 chars):\n${r.log.slice(-3000)}`,
  ].join('\n');
}

/** Each scenario's round runs once per test file, on first use, and its tests share it. */
export function roundsOf(cli: CliName, options: (scenario: string) => RealRoundOptions = () => ({})): (scenario: string) => Promise<RealRound> {
  const runs = new Map<string, Promise<RealRound>>();
  return (scenario) => {
    let p = runs.get(scenario);
    if (!p) {
      p = realRound(cli, scenario, options(scenario));
      runs.set(scenario, p);
    }
    return p;
  };
}

/** A mid-stream hang, ended by the silence guard (stall_timeout_s) long before the round's own timeout. */
export function assertStalled(r: RealRound): void {
  assertIsolated(r);
  assert.equal(r.record.outcome, 'timeout', describeRound(r));
  assert.equal(r.record.category, 'stall', describeRound(r));
  assert.equal(r.record.ended_by, 'stall'); // the silence guard, not the round's timeout
}

/** The work scenario done: the round is ok with the one commit the CLI made, WORK_FILE in it, a clean tree. */
export function assertWorkCommitted(r: RealRound): void {
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.record.outcome, 'ok', why);
  assert.deepEqual(r.record.commits, [git(r.project.dir, 'rev-parse', 'HEAD')], why);
  assert.equal(git(r.project.dir, 'log', '-1', '--format=%s'), COMMIT_MESSAGE);
  assert.equal(git(r.project.dir, 'show', `HEAD:${WORK_FILE}`), WORK_CONTENT.trimEnd());
  assert.equal(r.record.dirty_files, 0);
}

/** The namespace had loopback only, the server saw the CLI, and it handled every request the CLI made. */
export function assertIsolated(r: RealRound): void {
  assert.deepEqual(isolationProblems(r.run), [], 'the namespace has a network besides loopback');
  assert.ok(r.run.requests.length > 0, `the server saw no request: ${describeRound(r)}`);
  const unhandled = r.run.requests.filter((q) => q.answer === 'unhandled').map((q) => `${q.method} ${q.url}`);
  assert.deepEqual(unhandled, [], 'requests the server does not know');
}

/** The reset the server announced in its (first) usage-limit answer, as agent-runner writes times. */
export function serverResetIso(r: RealRound): string {
  const f = r.run.requests.find((q) => q.fault?.kind === 'usage_limit')?.fault;
  assert.ok(f?.kind === 'usage_limit', `the server sent no usage-limit answer: ${describeRound(r)}`);
  return new Date(f.resetAt * 1000).toISOString();
}

/**
 * retry_after is the server's reset: not before it (a wait that ends early meets the same limit again), and
 * not more than `lateS` after it (a CLI that prints the reset to the minute or as "in 61s" loses precision).
 */
export function assertRetryAfterIsReset(r: RealRound, lateS = 0): void {
  const reset = serverResetIso(r);
  const got = r.record.retry_after ?? null;
  assert.ok(got, `no retry_after (server reset ${reset}): ${describeRound(r)}`);
  const d = (Date.parse(got) - Date.parse(reset)) / 1000;
  assert.ok(d >= 0 && d <= lateS, `retry_after ${got} is ${d} s off the server's reset ${reset} (allowed 0…${lateS} s)`);
}
