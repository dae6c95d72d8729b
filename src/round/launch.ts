// The agent started for one round: its argv (the prompt as an argument or on stdin), its environment (round,
// phase, state dir, the round's tag), its output streaming to the round's log and, parsed, to its event log.
import type { OpenRound } from '../state/types.js';
import { agentArgv } from './prompt.js';
import { spawnAgent, type AgentHandle } from './spawn.js';
import { openEventLog, type EventLogWriter } from './event-log.js';
import { ROUND_TAG_VAR } from './record.js';

export interface LaunchInput {
  /** agent.command */
  command: string[];
  workDir: string;
  /** the agent's environment before the round's own variables */
  agentEnv: NodeJS.ProcessEnv;
  prompt: string;
  /** the round's open marker: number, phase, tag and log */
  open: OpenRound;
  stateDir: string;
  /** rounds/<n>.events.jsonl */
  eventsPath: string;
  /** starts the agent inside the round's fence (containment.ts) */
  wrap?: (file: string, args: string[]) => { file: string; args: string[]; tether?: boolean };
}

export function launchAgent(l: LaunchInput): { agent: AgentHandle; stream: EventLogWriter } {
  const { argv, viaStdin } = agentArgv(l.command, l.prompt, l.stateDir);
  // the agent's output, parsed as it streams: the event log, the tally, and the result the grace guard waits on
  const stream = openEventLog(l.eventsPath);
  const agent = spawnAgent({
    argv,
    cwd: l.workDir,
    env: {
      ...l.agentEnv,
      AGENT_RUNNER_ROUND: String(l.open.n),
      AGENT_RUNNER_PHASE: l.open.phase ?? '',
      AGENT_RUNNER_STATE_DIR: l.stateDir,
      [ROUND_TAG_VAR]: l.open.tag,
    },
    stdinText: viaStdin ? l.prompt : null,
    logPath: l.open.log,
    onOutput: stream.onOutput,
    wrap: l.wrap,
  });
  return { agent, stream };
}
