// The mount points of this process's view of the file system, from /proc/self/mountinfo. A mount point's
// root is a file system of its own (a disk, a tmpfs, a bind of a shared dir): never a state dir.
import * as fs from 'node:fs';

/** The mount point (field 5) of each line of a mountinfo text, octal escapes (\040 for a space) undone. */
export function parseMountPoints(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.push(field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
  }
  return out;
}

/** This process's mount points; empty when /proc is not there (then only the fixed rules apply). */
export function readMountPoints(): string[] {
  try {
    return parseMountPoints(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}
