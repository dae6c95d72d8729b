// `agent-runner rounds restore N`: a round's kept work back into the work tree (src/round/round-restore.ts),
// refused while a round is open and when the tree holds uncommitted changes, with one line saying the fix.
import { loadContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { userFiles } from '../round/record.js';
import { restoreRound } from '../round/round-restore.js';
import { readOpenRound } from '../state/ledger.js';
import { terminalSafe } from '../util/text.js';
import { currentRefs, findRound, parseRoundNumber } from './rounds-cmd.js';

export async function roundsRestoreCommand(o: { config?: string; n: string; branch?: string }): Promise<number> {
  const n = parseRoundNumber(o.n);
  const { config, paths } = loadContext(o.config);
  const open = readOpenRound(paths);
  if (open) {
    // a running round's agent works in this tree, and a supervisor that died left one whose aftercare the next start finishes
    throw new UserError(
      `round ${open.n} is open (running, or left by a supervisor that died): wait for it to end (agent-runner status), or stop serve first (agent-runner stop); nothing was changed`,
    );
  }
  const { refs: all, error } = await currentRefs(config.workDir, paths);
  if (error) throw new UserError(`the round refs could not be read: ${error}`);
  const refs = all.get(n) ?? [];
  if (!refs.length) throw new UserError(nothingKept(paths, n));
  const did = await restoreRound({ workDir: config.workDir, n, refs, exclude: userFiles(config, paths), branch: o.branch });
  process.stdout.write(terminalSafe(did.join('\n')) + '\n');
  return EXIT.OK;
}

/** Why round n has nothing to restore, from its record. */
function nothingKept(paths: Parameters<typeof findRound>[0], n: number): string {
  const { rec, last } = findRound(paths, n);
  if (!rec) return `no round ${n} in the ledger (the last is ${last || 'none'})`;
  if (rec.refs?.length) return `round ${n}'s refs are gone (pruned beyond vcs.keep_rounds, or deleted): nothing to restore`;
  const c = rec.commits.length;
  const commits = c ? `its ${c} commit${c === 1 ? ' is' : 's are'} on the branch it ran on (it ended on ${rec.head_after?.slice(0, 12)})` : 'it made no commit';
  const left = rec.dirty_files ? `its ${rec.dirty_files} uncommitted file(s) were left in the work tree, not stashed (${rec.reason ?? rec.outcome})` : 'it left no uncommitted work';
  return terminalSafe(`round ${n} kept nothing under its refs: ${commits}, and ${left}; nothing to restore`);
}
