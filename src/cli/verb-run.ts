// How a verb runs, without commander: the exit code it sets and the one line it prints on an error. Shared by
// program.ts (commander), fast-path.ts (plain argv) and the one-verb bundles (verb-entry.ts), so the paths cannot
// drift apart. Nothing here loads a verb's module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { isDiskFull } from '../system/disk-space.js';
import { errorMessage, firstLine } from '../util/text.js';

/**
 * package.json's version (the same depth below the root from build/src/cli/ and from build/bundle/cli/). Read as a
 * file: createRequire would load node:module, and with it Node's ES module loader, at every verb's start.
 */
export function version(): string {
  return JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
}

export type Action = () => Promise<number | void>;

/** Runs a verb's action: its result is the exit code; an error is reported as one line. */
export function run(action: Action): Promise<void> {
  return action().then(
    (code) => {
      process.exitCode = code ?? EXIT.OK;
    },
    (e: unknown) => {
      process.exitCode = reportError(e);
    },
  );
}

/** One line for a person, the documented exit code; a stack trace only with AGENT_RUNNER_DEBUG=1. */
export function reportError(e: unknown): number {
  if (e instanceof UserError) {
    process.stderr.write(`agent-runner: ${e.message}\n`);
    return e.exitCode;
  }
  if (isDiskFull(e)) {
    // not a bug: the state dir's disk (or quota) is full. 75: waiting for space helps; systemd restarts it later
    const err = e as NodeJS.ErrnoException;
    // a write through a file descriptor names no path: then the line says only what happened
    const where = err.path ? ` writing to ${path.dirname(err.path)}` : '';
    process.stderr.write(`agent-runner: disk full (${err.code})${where}: free some space, then run it again\n`);
    return EXIT.PAUSED;
  }
  process.stderr.write(`agent-runner: unexpected error: ${firstLine(errorMessage(e))} (rerun with AGENT_RUNNER_DEBUG=1 for details)\n`);
  if (process.env.AGENT_RUNNER_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return EXIT.FAILURE;
}
