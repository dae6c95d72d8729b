// dashboard --host a --host b: the hosts side by side, each read over real ssh (Debian's sshd on 127.0.0.1)
// through the monitor's own sources, in headless Chromium; a host whose sshd dies turns unreachable on the
// page (live), its last snapshot kept. Both aliases reach the same sshd and so the same remote project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { AGENTS_DIR, CLI, REPO_ROOT, freePort, tmpDir, waitUntil } from '../helpers/env.js';
import { finished } from '../helpers/project.js';
import { makeRemoteProject, startSshd } from '../helpers/sshd.js';
import { launchChromium } from '../helpers/browser.js';

test('dashboard --host a --host b: both hosts over ssh side by side, live; a dead sshd shows as unreachable', async (t) => {
  const tmp = tmpDir('ar-sshd-');
  const { sshd, user, sshOptions } = await startSshd(tmp);
  t.after(() => sshd.stop());

  const { remoteConfig, wrapper, remote } = makeRemoteProject(tmp, path.join(AGENTS_DIR, 'work-with-usage.sh'), '[runtime]\nround_timeout_s = 60\n', 'TICKS=1 TICK_S=0');
  for (let i = 0; i < 2; i++) assert.equal(remote('round').status, 0);

  const local = tmpDir('ar-local-'); // no project here: a fleet dashboard needs none
  const port = await freePort();
  const hosts = ['127.0.0.1', `${user}@127.0.0.1`];
  const dash = spawn(
    process.execPath,
    [CLI, 'dashboard', '--listen', `127.0.0.1:${port}`, '--interval', '1', ...hosts.flatMap((h) => ['--host', h]),
      '--remote-config', remoteConfig, '--remote-command', wrapper, ...sshOptions.flatMap((o) => ['--ssh-option', o])],
    { cwd: local, env: { ...process.env, AGENT_RUNNER_CONFIG: '', HOME: local }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const done = finished(dash);
  t.after(() => dash.kill('SIGKILL'));

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 640 });
  await waitUntil(async () => (await page.goto(`http://127.0.0.1:${port}/`).then(() => true, () => false)), { timeoutMs: 20_000, what: 'the dashboard to listen' });
  await page.waitForSelector('body[data-ready="1"]');

  // each host's card: its state, and its two rounds on the timeline, as its snapshot over ssh says
  const cards = () =>
    page.$$eval('section.host', (cs) => cs.map((c) => ({ host: c.getAttribute('data-host'), state: c.querySelector('.badge')?.getAttribute('data-state'), bars: c.querySelectorAll('rect[data-outcome="ok"]').length })));
  await waitUntil(async () => (await cards()).filter((c) => c.bars === 2).length === 2, { timeoutMs: 60_000, what: 'both hosts with their rounds', detail: () => '' });
  const seen = await cards();
  assert.deepEqual(seen.map((c) => c.host), hosts);
  assert.ok(seen.every((c) => c.state === 'stopped'), JSON.stringify(seen));
  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'dashboard-fleet.png'), fullPage: true });

  // the host goes away: the page says so without a reload, and keeps what it last knew
  sshd.stop();
  await page.waitForFunction(() => document.querySelectorAll('section.host .badge[data-state="unreachable"]').length === 2, undefined, { timeout: 60_000 });
  assert.ok((await cards()).every((c) => c.bars === 2));
  assert.match((await page.textContent('section.host')) ?? '', /ssh 127\.0\.0\.1 failed|no answer/);

  dash.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
});
