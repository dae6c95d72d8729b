// serve --park: stops stay stopped where a restart policy restarts whatever exits (a container, a pod).
// When the loop ends (a stop, the stop file, an auth or quota stop, the agent's done sentinel, the crash-loop
// breaker, a broken config) serve does not exit: it writes the park marker (state/park.ts) and sleeps, alive
// and healthy, its heartbeat kept fresh, until `start` removes the marker. The marker outlives the process:
// a container restart parks again at once, unless the config or $AGENT_RUNNER_SPEC changed. What ends a
// parked serve is the container's own stop (SIGTERM): it exits 0 and the marker stays.
import * as fs from 'node:fs';
import { appendEvent } from '../state/events.js';
import { clearParked, readParked, writeParked, type ParkMarker } from '../state/park.js';
import { readRecentLedger } from '../state/ledger.js';
import { startStatus } from '../state/status.js';
import { recoverOpenRound } from '../round/recover.js';
import { EXIT } from '../errors.js';
import { sleepFor } from '../util/sleep.js';
import { HEARTBEAT_MS, serveLoop, type ServeOptions, type ServeResult } from './loop.js';

/** The variable that names the deployment's spec (a pod template's hash, an image tag): a change resumes. */
export const SPEC_VAR = 'AGENT_RUNNER_SPEC';

export async function parkingServe(o: ServeOptions): Promise<ServeResult> {
  const spec = process.env[SPEC_VAR] || null;
  const held = heldMarker(o, spec);
  if (held) {
    // a marker is written only once the loop ended, so no round should be open; a kill between the two is recorded
    await recoverOpenRound(o.paths, o.config.runtime.kill_grace_s * 1000);
    if ((await parked(o, held)) === 'exit') return parkedExit(held);
    o.control.resume();
  }
  for (;;) {
    const r = await serveLoop(o);
    // the container stops: the loop ended the round (cancelled) for it, and a marker already there stays
    if (o.control.exiting) return r;
    const marker: ParkMarker = { since: new Date().toISOString(), reason: r.reason, exit_code: r.exitCode, fingerprint: o.fingerprint, spec };
    writeParked(o.paths, marker);
    appendEvent(o.paths.events, 'parked', { reason: r.reason, exit_code: r.exitCode, pid: process.pid });
    if ((await parked(o, marker)) === 'exit') return parkedExit(marker);
    o.control.resume();
  }
}

function parkedExit(m: ParkMarker): ServeResult {
  return { exitCode: EXIT.OK, reason: `parked (${m.reason}); the marker stays: \`agent-runner start\` resumes` };
}

/** The marker found at start-up, or null when there is none or the config or spec it was written under changed. */
function heldMarker(o: ServeOptions, spec: string | null): ParkMarker | null {
  const m = readParked(o.paths);
  if (!m) return null;
  const how = m.fingerprint !== o.fingerprint ? 'config changed' : (m.spec ?? null) !== spec ? 'spec changed' : null;
  if (!how) return m;
  clearParked(o.paths);
  appendEvent(o.paths.events, 'unparked', { how, pid: process.pid });
  process.stderr.write(`agent-runner: was parked (${m.reason}); ${how}: resuming\n`);
  return null;
}

/** Sleeps parked until the marker is gone ('resume') or the process is asked to end ('exit'). */
async function parked(o: ServeOptions, m: ParkMarker): Promise<'resume' | 'exit'> {
  const last = readRecentLedger(o.paths).records.at(-1);
  const parkedView = { since: m.since, reason: m.reason, exit_code: m.exit_code };
  const status = startStatus(o.paths, 'serve', last, {
    state: 'stopped',
    reason: `parked: ${m.reason}`,
    exit_code: m.exit_code,
    first_round: null,
    park: true,
    parked: parkedView,
    ...(o.repaired ? { repaired: o.repaired } : {}),
  });
  process.stderr.write(`agent-runner: parked: ${m.reason}; \`agent-runner start\` resumes\n`);
  for (;;) {
    // taken before the checks: a wake that comes between them and the sleep is not missed
    const nudge = o.control.nudge.signal;
    if (o.control.exiting) return 'exit';
    if (!fs.existsSync(o.paths.parked)) {
      appendEvent(o.paths.events, 'unparked', { how: 'start', pid: process.pid });
      process.stderr.write('agent-runner: resumed\n');
      return 'resume';
    }
    await sleepFor(HEARTBEAT_MS, nudge);
    status.set({});
  }
}
