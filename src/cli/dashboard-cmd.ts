// `agent-runner dashboard` (the page and the read-only API, for the local project or --host a --host b)
// and `serve --http ADDR` (the same server inside serve). Loaded only by these two: no other verb pays for
// node:http or the page.
import { EXIT } from '../errors.js';
import { checkThresholds } from '../monitor/thresholds.js';
import { loadObserverContext } from '../config/context.js';
import { resolveWebOptions } from '../web/options.js';
import { startDashboard, type Dashboard } from '../web/server.js';
import { Fleet } from '../web/fleet.js';
import { hostTargets, openHostSources, type HostFlags } from './host-sources.js';
import type { ServeCommandOptions } from '../serve/process.js';

export interface DashboardCmdOptions extends HostFlags {
  listen?: string;
  /** seconds between two polls of each --host (default 10) */
  interval?: number;
}

export const DEFAULT_FLEET_INTERVAL_S = 10;

function announce(d: Dashboard, token: boolean): void {
  // the address only: the token is never printed or logged
  process.stderr.write(`agent-runner: dashboard on ${d.url}${token ? ' (open it as /?token=<your token>)' : ''}\n`);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      process.off('SIGHUP', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    process.on('SIGHUP', done);
  });
}

export async function dashboardCommand(o: DashboardCmdOptions): Promise<number> {
  const targets = hostTargets(o);
  const t = checkThresholds(targets.ctx?.config?.monitor, targets.configPath ?? '[monitor]');
  const web = resolveWebOptions({ listen: o.listen, section: targets.ctx?.config?.dashboard, env: process.env });
  if (targets.hosts.length === 0) {
    const d = await startDashboard(web, { kind: 'local', ctx: targets.ctx!, t });
    announce(d, web.token !== null);
    await untilSignal();
    await d.close();
    return EXIT.OK;
  }
  // a fleet: buttons act on the local project only, so none are shown
  const hs = openHostSources(targets, t.window_rounds);
  let fleet: Fleet | null = null;
  const d = await startDashboard({ ...web, controls: { stop: false, cancel: false, note: false } }, { kind: 'fleet', fleet: () => fleet }).catch(async (e) => {
    await hs.close();
    throw e;
  });
  fleet = new Fleet(hs.sources, t, o.interval ?? DEFAULT_FLEET_INTERVAL_S, () => d.feed.broadcast('changed', {}));
  fleet.start();
  announce(d, web.token !== null);
  await untilSignal();
  await fleet.stop();
  await d.close();
  await hs.close();
  return EXIT.OK;
}

/** `serve --http ADDR`: the dashboard of this project beside the loop, for the loop's lifetime. */
export async function serveWithHttp(o: ServeCommandOptions & { http: string; quiet: boolean }): Promise<number> {
  const ctx = loadObserverContext(o.config);
  const t = checkThresholds(ctx.config?.monitor, ctx.configPath);
  const web = resolveWebOptions({ listen: o.http, section: ctx.config?.dashboard, env: process.env });
  const { serveVerb } = await import('./serve-cmd.js');
  const d = await startDashboard(web, { kind: 'local', ctx, t });
  announce(d, web.token !== null);
  try {
    return await serveVerb(o);
  } finally {
    await d.close();
  }
}
