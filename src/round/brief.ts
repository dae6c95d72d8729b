// What the agent is told as its round starts: the round context (the previous round, an orphan stash to pick
// up, a detached HEAD) in front of the prompt files. Read from the ledger and git before the spawn.
import type { RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import type { PreflightSeen } from './preflight.js';
import { assemblePrompt, type RoundContext } from './prompt.js';
import type { RepoPaths } from './git-head.js';
import { repoFacts } from './git-discover.js';
import { stashShas } from './git-stash.js';
import { findOrphanStash } from './record.js';
import { withoutApplied } from './stash-applied.js';
import { MAX_BYTES, readRegularText } from '../state/read-file.js';
import { takeNotes } from '../state/notes.js';

export interface BriefInput {
  workDir: string;
  paths: StatePaths;
  n: number;
  phase: string | null;
  promptFiles: string[];
  /** the ledger's records before this round */
  records: RoundRecord[];
  /** what the preflight's git checks learned */
  seen: PreflightSeen;
}

export interface Brief {
  prompt: string;
  /** HEAD before the round (null before the first commit) */
  headBefore: string | null;
  /** the repository's paths, for aftercare */
  repo: RepoPaths;
}

export async function briefAgent(b: BriefInput): Promise<Brief> {
  const previous = b.records.at(-1) ?? null;
  // the stash list only matters if some round ever stashed: otherwise there is no orphan to find (one git less)
  const everStashed = b.records.some((r) => r.stash_sha);
  const [{ head: headBefore, paths: repo }, stashes] = await Promise.all([
    // the git_state check already asked (one rev-parse for HEAD and the paths); a bare call if it did not run
    b.seen.git ?? repoFacts(b.workDir),
    everStashed ? stashShas(b.workDir) : Promise.resolve([]),
  ]);
  const context: RoundContext = {
    n: b.n,
    phase: b.phase,
    previous: previous && {
      n: previous.n,
      outcome: previous.outcome,
      category: previous.category,
      exit_code: previous.exit_code,
    },
    // a stash the user applied (`git stash apply` leaves it on the list) is no orphan any more
    orphanStash: findOrphanStash(b.records, stashes.length ? await withoutApplied(repo.top, b.records, stashes) : stashes),
    // a round may run on a detached HEAD, but the agent is told so; the record keeps head_before/head_after
    detachedHead: b.seen.git?.detached ? headBefore : null,
    stateDir: b.paths.dir,
    // the queue is taken now, once: the record lists what this prompt carried (state/notes.ts)
    notes: takeNotes(b.paths, b.n),
  };
  if (context.detachedHead) appendEvent(b.paths.events, 'git_detached', { round: b.n, sha: context.detachedHead });
  const prompt = assemblePrompt(
    context,
    b.promptFiles.map((f) => readRegularText(f, MAX_BYTES.prompt)),
  );
  return { prompt, headBefore, repo };
}
