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
  ],
});
