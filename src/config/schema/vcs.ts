// [vcs]: git aftercare at the end of each round.
import { section } from './spec.js';

export const VCS = section({
  name: 'vcs',
  kind: 'table',
  doc: 'Git aftercare at the end of each round.',
  keys: [
    {
      key: 'dirty_action',
      type: { kind: 'enum', values: ['stash', 'commit', 'ignore'] },
      default: 'stash',
      doc: 'What to do with uncommitted work a round leaves: stash it (referenced by SHA, shown to the next round), commit it, or leave it in place.',
    },
    {
      key: 'keep_rounds',
      type: { kind: 'number', min: 1, max: 1_000_000, integer: true },
      default: 500,
      doc: 'How many of the newest rounds keep their private refs (refs/agent-runner/<state id>/rounds/<n>/…: their stashed work, commits left off any branch), which `agent-runner rounds restore` brings back. Older rounds\' refs are pruned every min(keep_rounds, 50) rounds, so at most keep_rounds + min(keep_rounds, 50) rounds have them; a pruned round\'s work is then kept only as long as git keeps it otherwise (the stash list, a branch).',
    },
  ],
});
