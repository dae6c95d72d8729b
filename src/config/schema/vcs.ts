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
      doc: 'How many of the newest rounds keep their private refs (refs/agent-runner/<state id>/rounds/<n>/…: the HEAD each ended on, their stashed or left work, commits left off any branch), which `agent-runner rounds restore` brings back. Older rounds\' refs are pruned every min(keep_rounds, 50) rounds, so at most keep_rounds + min(keep_rounds, 50) rounds have them; a pruned round\'s work is then kept only as long as git keeps it otherwise (the stash list, a branch).',
    },
    {
      key: 'backup_remote',
      type: { kind: 'string', pattern: { re: /^[^-\s]\S*$/, doc: 'a remote name or URL: not empty, no spaces, not starting with "-"' } },
      example: 'origin',
      defaultText: 'no backup',
      doc: 'A git remote (a name, or a URL) that serve pushes the private round refs to after each round that kept something (`git push --force <remote> +refs/agent-runner/<state id>/*:…`), in the background: the loop never waits for it. A failure does not stop serve: peek shows it, and a `backup_failed` event marks the first one. So a round\'s work survives the loss of the machine. Refs pruned here (keep_rounds) stay on the remote. `round` alone does not push.',
    },
    {
      key: 'backup_timeout_s',
      type: { kind: 'number', min: 1, max: 3600, integer: false, unit: 's' },
      default: 120,
      doc: 'How long one push to backup_remote may take before its process group is ended and it counts as failed. serve\'s exit waits for a push in flight at most this long.',
    },
  ],
});
