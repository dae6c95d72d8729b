// A cgroup of the test's own (real cgroup v2; root), ended (cgroup.kill) and removed after the test: whatever a
// CLI started inside it leaves behind is still in it, so a test can tell with no scan, and it all ends with the test.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { waitFor } from './env.js';
import { canCreateUnder, isPopulated, probeCgroupHost, writeControl } from '../../src/system/cgroup.js';

export function outerCgroup(t: TestContext): string {
  const host = probeCgroupHost();
  assert.ok(host && canCreateUnder(host.own), `these tests need a cgroup v2 they may write (run as root): ${host ? `${host.own} is not writable` : 'no cgroup2 mounted'}`);
  const dir = path.join(host.own, `agent-runner-test-${randomUUID()}`);
  fs.mkdirSync(dir);
  t.after(async () => {
    writeControl(path.join(dir, 'cgroup.kill'), '1');
    await waitFor(() => !isPopulated(dir), 10_000, 10);
    for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) fs.rmdirSync(path.join(dir, sub.name));
    fs.rmdirSync(dir);
  });
  return dir;
}
