// Several `agent-runner round`s of a real agent CLI in a row, against one scripted model server (one network
// namespace, loopback only): what continuity across rounds needs, since the server and its record of every
// request live as long as the job.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tmpDir } from './env.js';
import { makeProject, type Project } from './project.js';
import { baseEnv, cliSetup, homeBase, type CliName, type CliSetup } from '../model-server/clis.js';
import { runIsolated } from '../model-server/netns.js';
import type { JobResult } from '../model-server/driver.js';
import type { RecordedRequest } from '../model-server/server.js';
import type { RoundRecord } from '../../src/state/types.js';

export interface RealRounds {
  project: Project;
  setup: CliSetup;
  run: JobResult;
  records: RoundRecord[];
  logs: string[];
  /** the agent loop's requests of each round, in order (told apart by the round's prompt: `Round: N`) */
  mainOf: (n: number) => RecordedRequest[];
}

export interface RealRoundsOptions {
  /** how many times the verb runs, one after the other */
  rounds: number;
  /** agent-runner's arguments after --config (default: round) */
  verb?: string[];
  /** more lines for [agent] */
  agentToml?: string;
  /** whole sections appended to the config ([hooks] …) */
  extraToml?: string;
  timeout?: number;
}

/** `rounds` foreground rounds (or runs of another verb), one after the other, each its own agent-runner process. */
export async function realRounds(cli: CliName, scenarioName: string, o: RealRoundsOptions): Promise<RealRounds> {
  const home = tmpDir(`ar-home-${cli}-`, homeBase());
  const setup = cliSetup(cli, { scenario: scenarioName, home });
  const timeout = o.timeout ?? 60;
  const project = makeProject({
    command: setup.command,
    timeout,
    grace: 2,
    agentEnv: { ...setup.presetEnv, HOME: home },
    extraToml: o.extraToml,
    // [agent] is the first section makeProject writes: its extra keys go right under its command
  });
  if (o.agentToml) {
    const text = fs.readFileSync(project.configPath, 'utf8');
    fs.writeFileSync(project.configPath, text.replace(/^(command = .*)$/m, `$1\n${o.agentToml}`));
  }
  const run = await runIsolated({
    scenario: scenarioName,
    workDir: project.dir,
    files: setup.files,
    // `round` N times; the exit of each is printed so a failure can be told from a round that failed
    argv: ['/bin/sh', '-c', `for i in $(seq ${o.rounds}); do "$0" "$@"; echo "agent-runner exit $?"; done`, process.execPath, CLI, '--config', project.configPath, ...(o.verb ?? ['round'])],
    cwd: project.dir,
    env: { ...baseEnv(home), AGENT_RUNNER_CONFIG: '', ...setup.env },
    stdin: null,
    timeoutMs: (timeout + 30) * 1000 * o.rounds,
    requestsLog: path.join(home, 'requests.jsonl'),
  });
  const records = project.rounds();
  const logs = records.map((r) => (r.log && fs.existsSync(r.log) ? fs.readFileSync(r.log, 'utf8') : ''));
  const roundOf = (q: RecordedRequest): number | null => {
    const all = [...JSON.stringify(q.body).matchAll(/Round: (\d+)\b/g)].map((m) => Number(m[1]));
    return all.length ? Math.max(...all) : null;
  };
  return { project, setup, run, records, logs, mainOf: (n) => run.requests.filter((q) => q.main && roundOf(q) === n) };
}

/** A short account for assertion messages. */
export function describeRounds(r: RealRounds): string {
  const reqs = r.run.requests.map((q) => `${q.method} ${q.url} → ${q.answer} (${JSON.stringify(q.body).length} bytes)`).join('\n  ');
  return [
    `records:\n  ${r.records.map((x) => JSON.stringify(x)).join('\n  ')}`,
    `agent-runner: ${r.run.stdout}${r.run.stderr}`,
    `requests:\n  ${reqs}`,
    ...r.logs.map((l, i) => `round ${i + 1} log (last 2000 chars):\n${l.slice(-2000)}`),
  ].join('\n');
}
