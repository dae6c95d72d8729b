// The lifecycle verbs: flags in, serve/control.ts does the work, its words go to stdout.
import { loadContext, loadObserverContext } from '../config/context.js';
import { cancelServe, killServe, restartServe, startServe, stopServe, type Say } from '../serve/control.js';

import { terminalSafe } from '../util/text.js';

// the round lines quote the agent's reasons: no escape of theirs reaches the terminal
const say: Say = (text) => process.stdout.write(terminalSafe(text));

export async function startCommand(o: { config?: string }): Promise<number> {
  return startServe(loadContext(o.config), say);
}

export async function stopCommand(o: { config?: string; timeout?: number }): Promise<number> {
  return stopServe(loadObserverContext(o.config).paths, o.timeout, say);
}

export async function cancelCommand(o: { config?: string; timeout?: number }): Promise<number> {
  return cancelServe(loadObserverContext(o.config).paths, o.timeout, say);
}

export async function killCommand(o: { config?: string }): Promise<number> {
  const { paths, killGraceS } = loadObserverContext(o.config);
  return killServe(paths, killGraceS, say);
}

export async function restartCommand(o: { config?: string; force: boolean; timeout?: number }): Promise<number> {
  // loading validates the config on disk first: a broken one stops nothing (exit 78)
  return restartServe(loadContext(o.config), o, say);
}
