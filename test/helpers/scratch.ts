// Scratch projects and mounts for the fault tests, undone after the test whatever it did.
import type { TestContext } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { makeProject, type Project, type ProjectOptions } from './project.js';
import { killStateDirProcesses } from './invariants.js';

/** A scratch project; after the test its round processes are ended and its repo and state dir removed. */
export function scratchProject(t: TestContext, o: ProjectOptions = {}): Project {
  const p = makeProject(o);
  t.after(() => {
    killStateDirProcesses(p.stateDir);
    fs.rmSync(p.dir, { recursive: true, force: true });
    removeDir(path.dirname(p.stateDir));
  });
  return p;
}

/** Removed, whole; a dir a test mounted a filesystem on (EBUSY) is unmounted first (lazily). */
function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
    spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fresh tmpfs on `mnt` with these mount options (`size=64m,nr_inodes=400`), unmounted (lazily) after the
 * test. Mounting needs root: the fault suite runs as root here and in CI, and fails, never skips, when the
 * mount does not work (mount's own message says why).
 */
export function mountTmpfs(t: TestContext, mnt: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=0700`, 'tmpfs', mnt], { stdio: 'pipe' });
  t.after(() => {
    spawnSync('umount', ['-l', mnt]);
  });
}
