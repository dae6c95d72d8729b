// The ledger as a long-lived reader keeps it: serve's budget gate before each round, the metrics listener on
// each scrape, the dashboard on each page. A call reads only the bytes appended since the last one, so its
// cost is the new rounds, not the whole history (100k rounds are ~100 MB of JSON). A file that was replaced
// (repair moved garbage aside: another inode) or shrank is read whole again; a line still being written is
// left for the next call.
import * as fs from 'node:fs';
import { parseJsonLines, readBytesFrom } from './files.js';
import { isRoundRecord } from './ledger.js';
import type { StatePaths } from './paths.js';
import type { RoundRecord } from './types.js';

/** How much one read takes at most: a first read of a long ledger goes in pieces, never one huge buffer. */
const CHUNK_BYTES = 8 * 2 ** 20;

/** Every round record so far; the array is new whenever records were added, so a caller may keep one. */
export type LedgerFollower = () => RoundRecord[];

export function followLedger(paths: StatePaths): LedgerFollower {
  let id = '';
  let offset = 0;
  let records: RoundRecord[] = [];
  return () => {
    let st: fs.Stats;
    try {
      st = fs.statSync(paths.rounds);
    } catch {
      id = '';
      offset = 0;
      return (records = records.length ? [] : records); // no ledger (yet, or moved aside)
    }
    const now = `${st.dev}:${st.ino}`;
    if (now !== id || st.size < offset) {
      id = now;
      offset = 0;
      records = [];
    }
    const added: RoundRecord[] = [];
    while (offset < st.size) {
      const part = readBytesFrom(paths.rounds, () => offset, CHUNK_BYTES);
      if (!part || part.end === part.start) break;
      const cut = part.bytes.lastIndexOf(0x0a) + 1;
      if (cut === 0) {
        // no newline in a whole chunk: one endless line, garbage to skip (the repair reports it); else a
        // line still being written, read again next time
        if (part.end - part.start < CHUNK_BYTES) break;
        offset = part.end;
        continue;
      }
      added.push(...parseJsonLines<RoundRecord>(part.bytes.subarray(0, cut).toString('utf8'), isRoundRecord).items);
      offset = part.start + cut;
    }
    if (added.length) records = records.concat(added);
    return records;
  };
}
