// The bundle peek-early.cjs, which the bin runs before peek.cjs for a plain `peek`: it starts peek's git status
// while peek.cjs is still to be read and compiled. That status is peek's slowest part on a big tree (bench section
// 4) and needs none of peek's code, only where the config lies and the raw git runner; peek.cjs then takes it
// (peek-cmd.ts), or ends it when the config names another tree.
import * as path from 'node:path';
import { parseFast } from './fast-parse.js';
import { findConfigPath } from '../config/find-config.js';
import { startEarlyStatus, type EarlyStatus } from '../snapshot/early-status.js';

/** The status started for a plain `peek` command line, else null. An error is peek's to report, with its words. */
export function start(args: string[]): EarlyStatus | null {
  const c = parseFast(args);
  if (c?.verb !== 'peek') return null;
  try {
    return startEarlyStatus(path.dirname(findConfigPath(c.config, process.cwd())));
  } catch {
    return null;
  }
}
