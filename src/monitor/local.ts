// The local project: the snapshot is built in-process, and auto-stop runs `stop`'s own steps.
import * as os from 'node:os';
import type { ObserverContext } from '../config/context.js';
import { appendEvent } from '../state/events.js';
import type { HostSource } from './source.js';
import { errorMessage, firstLine } from '../util/text.js';

/** How long an auto-stop waits for serve to end (its round finishing) before reporting "stopping". */
export const STOP_WAIT_S = 30;

export function localSource(ctx: ObserverContext, rounds: number): HostSource {
  return {
    host: os.hostname(),
    async fetch() {
      const { buildSnapshot } = await import('../snapshot/build.js');
      return buildSnapshot(ctx, { rounds });
    },
    async stop(detectors) {
      const { stopServe } = await import('../serve/control.js');
      const said: string[] = [];
      let code: number;
      try {
        code = await stopServe(ctx.paths, STOP_WAIT_S, (text) => said.push(text.trim()));
      } catch (e) {
        const detail = firstLine(errorMessage(e));
        appendEvent(ctx.paths.events, 'auto_stop', { detectors, result: 'failed', detail });
        return { action: 'stop', result: 'failed', detail };
      }
      const detail = said.filter(Boolean).join('; ');
      const result = code === 0 ? (/^not running/.test(said[0] ?? '') ? 'not_running' : 'stopped') : 'stopping';
      appendEvent(ctx.paths.events, 'auto_stop', { detectors, result, detail });
      return { action: 'stop', result, detail };
    },
    async close() {},
  };
}
