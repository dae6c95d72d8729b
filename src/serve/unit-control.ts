// serve under an installed systemd unit: start it and confirm it runs, stop it so it stays down.
import { EXIT, UserError } from '../errors.js';
import { lastRoundBefore, serveIsUp } from './confirm-up.js';
import type { StatePaths } from '../state/paths.js';
import { journalHint, mustCall, showUnit, systemctl, type InstalledUnit } from '../system/systemd.js';
import type { Scope } from '../system/units.js';
import { monoMs } from '../util/clock.js';
import { sleepFor } from '../util/sleep.js';

const CONFIRM_MS = 15_000;

/**
 * Waits until serve runs under the unit: active, and the unit's main process past its first preflight
 * (confirm-up.ts). lastBefore: the last round number before the unit was started.
 * Returns null when it does, or why not (one line, with where to look).
 */
export async function confirmServeUnit(
  u: { scope: Scope; name: string },
  paths: StatePaths,
  lastBefore: number,
  timeoutMs = CONFIRM_MS,
): Promise<string | null> {
  const end = monoMs() + timeoutMs; // a bound, not a moment: the monotonic clock (src/util/clock.ts)
  let v = showUnit(u.scope, u.name);
  while (monoMs() < end) {
    v = showUnit(u.scope, u.name);
    if (v.ActiveState === 'active' && v.MainPID > 0 && serveIsUp(paths, v.MainPID, lastBefore)) return null;
    const down = v.ActiveState === 'failed' || v.ActiveState === 'inactive' || v.SubState === 'auto-restart';
    if (down) break;
    await sleepFor(100);
  }
  const exit = v.ExecMainStatus === null ? '' : `, exit ${v.ExecMainStatus}`;
  return `${u.name} is ${v.ActiveState} (${v.SubState}${exit}, result ${v.Result}); see \`${journalHint(u.scope, u.name)}\``;
}

/** `start` with a unit installed: systemd starts serve, so it keeps its restart policy and its logs. */
export async function startServeUnit(u: InstalledUnit, paths: StatePaths, say: (text: string) => void): Promise<number> {
  const lastBefore = lastRoundBefore(paths);
  mustCall(u.scope, ['start', '--', u.name], 60_000);
  const why = await confirmServeUnit(u, paths, lastBefore);
  if (why) throw new UserError(`serve did not stay up under systemd: ${why}`);
  say(`started ${u.name} (serve pid ${showUnit(u.scope, u.name).MainPID}); logs: ${journalHint(u.scope, u.name)}\n`);
  return EXIT.OK;
}

/** Asks systemd to stop the unit without waiting for it (the caller waits for serve itself, with its own bound). */
export function requestUnitStop(u: InstalledUnit): { mainPid: number } {
  let mainPid = 0;
  try {
    mainPid = showUnit(u.scope, u.name).MainPID;
  } catch {
    /* systemd not reachable: the caller still signals serve itself */
  }
  systemctl(u.scope, ['stop', '--no-block', '--', u.name], 10_000);
  return { mainPid };
}

/** Bounded wait until systemd no longer counts the unit as running or stopping. */
export async function waitUnitDown(u: InstalledUnit, timeoutMs = 10_000): Promise<void> {
  const end = monoMs() + timeoutMs;
  while (monoMs() < end) {
    try {
      const s = showUnit(u.scope, u.name).ActiveState;
      if (s !== 'active' && s !== 'deactivating' && s !== 'activating' && s !== 'reloading') return;
    } catch {
      return;
    }
    await sleepFor(100);
  }
}
