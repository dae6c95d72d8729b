// Every file of the state dir, named once. The state dir is the only contract between the layers.
import * as path from 'node:path';

/** The file that says "agent-runner made (or adopted) this dir": only such a dir gets its mode set (src/state/ownership.ts). */
export const STATE_MARKER = '.agent-runner-state';

export interface StatePaths {
  dir: string;
  marker: string; // .agent-runner-state: this dir is agent-runner's own (empty file)
  id: string; // id: this state dir's random id, naming its private git refs (refs/agent-runner/<id>/…)
  rounds: string; // rounds.jsonl: one RoundRecord per line, the single round counter
  events: string; // events.jsonl
  status: string; // status.json (atomic)
  heartbeat: string; // heartbeat: serve's pid; its mtime is touched every few seconds (state/heartbeat.ts)
  openRound: string; // round.open.json: the round in flight (atomic); gone once its record is in the ledger
  lock: string; // one runner (round or serve) per project
  servePid: string; // serve.pid
  serveLog: string; // serve's own output when started in the background
  stopFile: string; // touch it to end serve between rounds
  doneFile: string; // the agent writes it when there is nothing left to do
  parked: string; // parked.json: serve --park stopped and stays parked until `start` removes it (state/park.ts)
  control: string; // control.json: what the operator asked serve to do (stop | cancel)
  monitorAlerts: string; // monitor-alerts.json: a local monitor's raised alerts
  notes: string; // notes.jsonl: operator notes queued for the next round (`agent-runner note`)
  /** notify-<owner>.json: the unsent notifications and the open incidents of serve's or the monitor's notifier */
  notifyOutbox: (owner: 'serve' | 'monitor') => string;
  backup: string; // backup.json: how the last pushes of the round refs to [vcs] backup_remote went (atomic)
  agentVersion: string; // agent-version.json: the agent CLI's version, cached by binary and mtime (atomic)
  roundsDir: string;
  /** tmp/: the rounds' private temp dirs when $XDG_RUNTIME_DIR cannot have them (src/round/tmp-box.ts); the
   * agent's own files, 0700 at the top, never held to the state dir's file modes */
  tmpBoxes: string;
  roundLog: (n: number) => string;
  /** rounds/<n>.events.jsonl: the agent's normalized stream events */
  roundEvents: (n: number) => string;
  /** rounds/<n>.notes.jsonl: the notes round n was given */
  roundNotes: (n: number) => string;
}

export function statePaths(dir: string): StatePaths {
  const roundsDir = path.join(dir, 'rounds');
  return {
    dir,
    marker: path.join(dir, STATE_MARKER),
    id: path.join(dir, 'id'),
    rounds: path.join(dir, 'rounds.jsonl'),
    events: path.join(dir, 'events.jsonl'),
    status: path.join(dir, 'status.json'),
    heartbeat: path.join(dir, 'heartbeat'),
    openRound: path.join(dir, 'round.open.json'),
    lock: path.join(dir, 'lock'),
    servePid: path.join(dir, 'serve.pid'),
    serveLog: path.join(dir, 'serve.log'),
    stopFile: path.join(dir, 'STOP'),
    doneFile: path.join(dir, 'DONE'),
    parked: path.join(dir, 'parked.json'),
    control: path.join(dir, 'control.json'),
    monitorAlerts: path.join(dir, 'monitor-alerts.json'),
    notes: path.join(dir, 'notes.jsonl'),
    notifyOutbox: (owner) => path.join(dir, `notify-${owner}.json`),
    backup: path.join(dir, 'backup.json'),
    agentVersion: path.join(dir, 'agent-version.json'),
    roundsDir,
    tmpBoxes: path.join(dir, 'tmp'),
    roundLog: (n) => path.join(roundsDir, `${n}.log`),
    roundEvents: (n) => path.join(roundsDir, `${n}.events.jsonl`),
    roundNotes: (n) => path.join(roundsDir, `${n}.notes.jsonl`),
  };
}
