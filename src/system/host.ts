// Live host probes for the snapshot: disk, memory, load, and the memory of a set of processes.
// No subprocess: everything comes from statfs(2), /proc and os.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface DiskSample {
  path: string;
  used_pct: number;
  free_bytes: number;
  total_bytes: number;
  /** percent of the inodes in use: a disk out of inodes is full whatever its bytes say */
  inodes_used_pct?: number;
}

/**
 * The filesystem holding `dir` (its nearest existing ancestor when it does not exist yet). statfs(2) directly:
 * check-disk-space runs `df` on Linux, a subprocess per sample. `used_pct` as df computes it: used over
 * what non-root can use (reserved blocks left out), so 100% means the agent cannot write.
 */
export async function sampleDisk(dir: string): Promise<DiskSample | null> {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    // the callback form: fs.promises loads fs/promises and readline (~1 ms of every peek's start)
    const s = await new Promise<fs.StatsFs>((resolve, reject) => fs.statfs(at, (e, st) => (e ? reject(e) : resolve(st))));
    return diskFromStatfs(at, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree);
  } catch {
    return null;
  }
}

/** Pure: df's arithmetic. */
export function diskFromStatfs(at: string, bsize: number, blocks: number, bfree: number, bavail: number, files = 0, ffree = 0): DiskSample {
  const used = blocks - bfree;
  const usable = used + bavail;
  const sample: DiskSample = {
    path: at,
    used_pct: usable > 0 ? Math.round((used / usable) * 1000) / 10 : 0,
    free_bytes: bavail * bsize,
    total_bytes: blocks * bsize,
  };
  // a filesystem with no fixed inode count reports none at all (btrfs, some FUSE): no figure, not 100%
  if (files > 0) sample.inodes_used_pct = Math.round(((files - ffree) / files) * 1000) / 10;
  return sample;
}

/** Pure: MemTotal and MemAvailable of /proc/meminfo, in bytes; null where absent (old kernels lack MemAvailable). */
export function parseMeminfo(text: string): { total: number | null; available: number | null } {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { total: kb('MemTotal'), available: kb('MemAvailable') };
}

export function sampleMemory(): { total: number | null; available: number | null } {
  try {
    return parseMeminfo(fs.readFileSync('/proc/meminfo', 'utf8'));
  } catch {
    return { total: null, available: null };
  }
}

export function sampleLoad(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round2(a), round2(b), round2(c)];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Pure: VmRSS of /proc/<pid>/status in bytes (0 for a kernel thread or a zombie, which have none). */
export function parseVmRss(text: string): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Resident memory of these processes, summed (pages shared between them count once per process, as `ps`
 * would add them up). /proc/<pid>/status carries VmRSS in kB, so no page size is needed (statm counts pages,
 * and pidusage asks `getconf PAGESIZE` in a subprocess to convert them). A process gone meanwhile counts 0.
 */
export function sampleRss(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += parseVmRss(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    } catch {
      /* exited since the scan */
    }
  }
  return sum;
}
