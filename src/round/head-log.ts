// The commits a round made that its final HEAD does not hold: the agent committed on a detached HEAD and then
// checked out something else, leaving them on no branch, where the next `git gc` may take them. Found in HEAD's
// reflog (the file, no git process), from where it ended when the round began: no clock is involved.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFileFrom } from '../state/files.js';

/** The most of the reflog a round's scan reads: a round that moves HEAD more than ~2,000 times is cut short. */
const MAX_SCAN_BYTES = 512 * 1024;
/** The most commits listed (and protected by a ref each): the newest. */
export const MAX_LEFT_COMMITS = 20;

/** Reflog actions that put a commit made by that action at HEAD (checkout, reset and fast-forwards only move it). */
const MAKES_COMMIT = /^(commit( \([a-z]+\))?|cherry-pick|revert|am|rebase( -i| \(-i\))? \((pick|squash|fixup|reword|edit|continue)\)|merge [^:]*: Merge made)\b/;

/** Where HEAD's reflog ends now (its size): the round's scan starts there. null when there is no such file. */
export function headLogEnd(gitDir: string): number | null {
  try {
    return fs.statSync(path.join(gitDir, 'logs', 'HEAD')).size;
  } catch {
    return null;
  }
}

/**
 * Commits HEAD's reflog shows made since `from` (a headLogEnd), newest last, leaving out those in `held`
 * (the commits the final HEAD holds). [] when the reflog was cut below `from` (expired by the agent) or is
 * missing (a reftable repository, core.logAllRefUpdates = false): a known limit, docs/architecture.md.
 */
export function commitsLeft(gitDir: string, from: number | null, held: Iterable<string>): string[] {
  if (from === null) return [];
  const part = readFileFrom(path.join(gitDir, 'logs', 'HEAD'), () => from);
  if (!part || part.size < from || part.size - from > MAX_SCAN_BYTES) return [];
  const keep = new Set(held);
  const made: string[] = [];
  for (const line of part.text.split('\n')) {
    // <old> SP <new> SP <name> <email> SP <time> SP <tz> TAB <message>
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const sha = line.split(' ')[1] ?? '';
    if (!/^[0-9a-f]{40,64}$/.test(sha) || keep.has(sha) || !MAKES_COMMIT.test(line.slice(tab + 1))) continue;
    keep.add(sha);
    made.push(sha);
  }
  return made.slice(-MAX_LEFT_COMMITS);
}
