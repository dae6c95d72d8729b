// `agent-runner notify test`: one test message on every [[notify]] channel, each one's result reported.
// `agent-runner notify flush`: what a stopped serve left unsent in its outbox, sent now.
import * as os from 'node:os';
import { loadContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { holderAlive, readLock } from '../state/lock.js';
import { channelsOf, type Incident } from '../serve/notify/incident.js';
import { Notifier } from '../serve/notify/notifier.js';
import { notifierFor } from '../serve/notify/serve-hook.js';
import type { AttemptResult } from '../serve/notify/outbox.js';
import { redact } from '../util/redact.js';
import { terminalSafe } from '../util/text.js';

export async function notifyTestCommand(o: { config?: string; json?: boolean }): Promise<number> {
  const { config } = loadContext(o.config, { guard: false });
  const channels = channelsOf(config.notify ?? []);
  if (channels.length === 0) throw new UserError('no [[notify]] channel in the config; add one (docs/notifications.md), then run it again', EXIT.CONFIG);
  const results = new Map<string, AttemptResult>();
  let all: () => void = () => {};
  const done = new Promise<void>((resolve) => (all = resolve));
  // in memory: a test is not an incident to remember, nor to retry
  const notifier = new Notifier({
    file: null,
    channels,
    origin: { project: config.project, host: os.hostname() },
    say: (line) => process.stderr.write(`agent-runner: ${line}\n`),
    onAttempt: (item, r) => {
      if (!results.has(item.channel)) results.set(item.channel, r);
      if (results.size === channels.length) all();
    },
  });
  const now = new Date().toISOString();
  const test: Incident = { key: `test:${config.project}:${now}`, event: 'test', state: 'once', severity: 'info', ts: now, title: 'test message', message: `a test message from agent-runner for ${config.project}: this channel works`, fields: {} };
  notifier.notify(test);
  await done;
  await notifier.close(0);
  const rows = channels.map((c) => ({ channel: c.name, kind: c.kind, target: redact(c.url ?? c.command?.join(' ') ?? ''), ...(results.get(c.name) ?? { ok: false, error: 'not attempted' }) }));
  if (o.json) process.stdout.write(JSON.stringify(rows) + '\n');
  else for (const r of rows) process.stdout.write(terminalSafe(`${r.channel} (${r.kind} ${r.target}): ${r.ok ? 'sent' : `failed: ${redact((r as { error: string }).error)}`}`) + '\n');
  return rows.every((r) => r.ok) ? EXIT.OK : EXIT.FAILURE;
}

export async function notifyFlushCommand(o: { config?: string; timeout?: number }): Promise<number> {
  const { config, paths } = loadContext(o.config);
  const lock = readLock(paths.lock);
  if (lock && holderAlive(lock) && lock.role === 'serve') {
    process.stdout.write(`serve (pid ${lock.pid}) is running and sends its own queue\n`);
    return EXIT.OK;
  }
  const notifier = notifierFor(config, paths, 'serve', (line) => process.stderr.write(`agent-runner: ${line}\n`), true);
  const before = notifier.pending().length;
  await notifier.close((o.timeout ?? 60) * 1000);
  const left = notifier.pending();
  process.stdout.write(`${before - left.length} of ${before} queued message(s) sent${left.length ? `; ${left.length} left in ${paths.notifyOutbox('serve')} (the next serve or flush tries again)` : ''}\n`);
  return left.length ? EXIT.FAILURE : EXIT.OK;
}
