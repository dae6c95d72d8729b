// Commands run one after the other inside a mount namespace whose /tmp and /var/tmp are fresh, empty tmpfs: what
// is there afterwards is exactly what the commands left, whatever else this user runs on the host meanwhile
// (the test suite itself writes to /tmp all the time). Needs root (or CAP_SYS_ADMIN). The files the commands use
// (a project, its state dir) must lie outside /tmp and /var/tmp: PRIVATE_TMP_BASE.
//   node private-tmp.js STEPS.json RESULT.json      (what runInPrivateTmp starts under `unshare --mount`)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpDir } from './env.js';

/** outside /tmp and /var/tmp, which the namespace replaces */
export const PRIVATE_TMP_BASE = path.join(os.homedir(), '.cache', 'agent-runner-test');

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface PrivateTmpRun {
  steps: StepResult[];
  /** every entry under /tmp and /var/tmp once the last step ended */
  tmp: string[];
}

/** Runs each argv in turn (with `env` added to ours) in a namespace with empty /tmp and /var/tmp. */
export function runInPrivateTmp(steps: string[][], env: NodeJS.ProcessEnv = {}): PrivateTmpRun {
  fs.mkdirSync(PRIVATE_TMP_BASE, { recursive: true });
  const dir = tmpDir('ar-ptmp-', PRIVATE_TMP_BASE);
  const stepsFile = path.join(dir, 'steps.json');
  const resultFile = path.join(dir, 'result.json');
  fs.writeFileSync(stepsFile, JSON.stringify(steps));
  const self = fileURLToPath(import.meta.url);
  const mounts = 'mount -t tmpfs -o mode=1777 tmpfs /tmp && mount -t tmpfs -o mode=1777 tmpfs /var/tmp && exec "$0" "$@"';
  const r = spawnSync('unshare', ['--mount', '--', 'sh', '-c', mounts, process.execPath, self, stepsFile, resultFile], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0 || !fs.existsSync(resultFile)) throw new Error(`private-tmp run failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as PrivateTmpRun;
}

function inside(stepsFile: string, resultFile: string): void {
  const steps = JSON.parse(fs.readFileSync(stepsFile, 'utf8')) as string[][];
  const results: StepResult[] = steps.map(([cmd, ...args]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  });
  const find = spawnSync('find', ['/tmp', '/var/tmp', '-mindepth', '1'], { encoding: 'utf8' });
  const out: PrivateTmpRun = { steps: results, tmp: (find.stdout ?? '').split('\n').filter((l) => l.trim()) };
  fs.writeFileSync(resultFile, JSON.stringify(out));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) inside(process.argv[2], process.argv[3]);
