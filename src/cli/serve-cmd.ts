// `agent-runner serve` in the foreground: the loop (src/serve/process.ts) with its progress beside it. On a
// terminal the live line and a summary per round; off one (a pipe, serve.log, the journal) the summaries
// only; with --quiet neither.
import { serveCommand, type ServeCommandOptions } from '../serve/process.js';
import { liveProgress } from './terminal.js';

export async function serveVerb(o: ServeCommandOptions & { quiet: boolean }): Promise<number> {
  return serveCommand({
    config: o.config,
    once: o.once,
    maxRounds: o.maxRounds,
    until: o.until,
    maxRuntime: o.maxRuntime,
    metricsFile: o.metricsFile,
    metricsListen: o.metricsListen,
    park: o.park,
    watch: o.quiet
      ? undefined
      : async (config, paths) =>
          (await import('./progress.js')).startProgress({ paths, pricing: (await import('../agents/pricing.js')).priceConfig(config, process.env), live: liveProgress(o), summaries: true }),
  });
}
