// The prompt an agent receives: a round-context block, then the prompt file(s). Pure.
import type { Outcome, Category } from '../state/types.js';
import { detachedContextLines } from './git-state.js';

export interface RoundContext {
  n: number;
  phase: string | null;
  previous: { n: number; outcome: Outcome; category: Category | null; exit_code: number | null } | null;
  /** orphan work an earlier round left, stashed; referenced by SHA only */
  orphanStash: { sha: string; round: number } | null;
  /** HEAD's SHA when the round starts on a detached HEAD (no branch checked out); absent or null otherwise */
  detachedHead?: string | null;
  stateDir: string;
  /** operator notes queued with `agent-runner note` since the last round, oldest first */
  notes?: ReadonlyArray<{ queued: string; text: string }>;
}

export function renderContext(c: RoundContext): string {
  const lines = ['<agent-runner-context>', `Round: ${c.n}${c.phase ? ` (phase: ${c.phase})` : ''}`];
  if (c.previous) {
    const p = c.previous;
    const detail = p.category ? `, ${p.category}` : '';
    const exit = p.exit_code === null ? '' : `, exit ${p.exit_code}`;
    lines.push(`Previous round: ${p.n} ended ${p.outcome}${detail}${exit}`);
  } else {
    lines.push('Previous round: none (this is the first)');
  }
  if (c.orphanStash) {
    const s = c.orphanStash.sha;
    lines.push(
      `Orphan work: round ${c.orphanStash.round} left uncommitted work, stashed as ${s}.`,
      `  Inspect it with \`git stash show -p --include-untracked ${s}\`; take it with \`git stash apply ${s}\` and commit what is worth keeping.`,
    );
  }
  if (c.detachedHead) lines.push(...detachedContextLines(c.detachedHead));
  lines.push(`When there is nothing left to do, create the file ${c.stateDir}/DONE (its path is also in $AGENT_RUNNER_STATE_DIR) and exit.`);
  if (c.notes?.length) {
    // the operator's words, as written: the heading says whose they are and that they are for this round on
    lines.push('Notes from the operator (sent with `agent-runner note` while you ran; they apply from this round on):');
    for (const note of c.notes) lines.push(...note.text.split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)));
  }
  lines.push('</agent-runner-context>', '');
  return lines.join('\n');
}

export function assemblePrompt(context: RoundContext, promptTexts: string[]): string {
  return renderContext(context) + '\n' + promptTexts.map((t) => t.replace(/\s+$/, '')).join('\n\n') + '\n';
}

/**
 * argv with `{state_dir}` substituted (a sandboxed CLI is told it may write there: the done sentinel lives in it),
 * then `{prompt}` (after, so a prompt that says "{state_dir}" stays as written); `viaStdin` when no element asks
 * for the prompt.
 */
export function agentArgv(command: string[], prompt: string, stateDir = ''): { argv: string[]; viaStdin: boolean } {
  const withDir = command.map((a) => (a.includes('{state_dir}') ? a.split('{state_dir}').join(stateDir) : a));
  const viaStdin = !withDir.some((a) => a.includes('{prompt}'));
  return { argv: viaStdin ? withDir : withDir.map((a) => a.split('{prompt}').join(prompt)), viaStdin };
}
