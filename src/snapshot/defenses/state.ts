// Defenses of the state dir: the ledger, the lock, and state files that are torn, corrupt or out of space.
import { inLayer } from './defense.js';

export const STATE_DEFENSES = inLayer('state', [
  {
    name: 'round_lock',
    prevents: 'two runners driving one work tree at once',
    invariant: 'one round or serve per project; a second fails at once naming the holder; a dead holder\'s lock is recovered',
    test: { file: 'test/integration/round.test.ts', name: 'two concurrent rounds: the second fails fast naming the holder' },
  },
  {
    name: 'ledger_every_round',
    prevents: 'a round lost from the record when the supervisor dies mid-round',
    invariant: 'round.open.json is written before the spawn; the next start records the open round aborted and reaps its tree',
    test: { file: 'test/integration/serve.test.ts', name: 'SIGKILL serve mid-round, then serve again: aborted, reaped, numbering continues' },
  },
  {
    name: 'atomic_state',
    prevents: 'a half-written status file or a torn ledger line breaking readers',
    invariant: 'status files are replaced atomically; JSONL is append-only and readers skip a torn line',
    test: { file: 'test/unit/state.test.ts', name: 'a torn last line is skipped and the next append starts on a new line' },
  },
  {
    name: 'state_repair',
    prevents: 'torn or garbage lines in rounds.jsonl / events.jsonl and a corrupt status.json piling up unseen, or a garbage ledger line steering the round counter',
    invariant: 'round and serve repair the tails of the state files under the lock before recovery: bad lines saved to <file>.corrupt (0600), then blanked in place (never a rewrite: an append made meanwhile is kept), a state_repaired event; nothing is lost',
    test: { file: 'test/faults/torn-state.test.ts', name: '`round` repairs torn / garbage rounds.jsonl and events.jsonl: bad lines kept in .corrupt, state_repaired reported' },
  },
  {
    name: 'repair_append_safe',
    prevents: 'an event that a lock-free verb appends during the start-up repair lost with a rewritten events.jsonl',
    invariant: 'the repair changes bad lines in place and never rewrites or truncates a JSONL file; start-up reads only the files\' tails',
    test: { file: 'test/faults/torn-state.test.ts', name: 'start-up repair is append-safe: a lock-free writer appending to events.jsonl while `round` repairs a torn 20 MB log loses no event' },
  },
  {
    name: 'corrupt_status_rewritten',
    prevents: 'an empty, truncated or non-JSON status.json surviving serve\'s start',
    invariant: 'serve moves it to status.json.corrupt, reports state_repaired and writes a fresh one',
    test: { file: 'test/faults/torn-state.test.ts', name: 'serve on a truncated status.json: moved aside to status.json.corrupt, reported, rewritten' },
  },
  {
    name: 'readers_survive_corrupt_state',
    prevents: 'status, peek, events, watch or monitor crashing (or printing a stack) on a torn or corrupt state file',
    invariant: 'each reader exits 0 on every corrupt file and changes nothing (it holds no lock); ledger lines without n / outcome / start / end are not rounds',
    test: { file: 'test/faults/torn-state.test.ts', name: 'readers (status, peek, events, watch, monitor) on each torn or corrupt state file: exit 0, no stack trace, file untouched' },
  },
  {
    name: 'torn_open_marker_swept',
    prevents: 'the tree of a dead supervisor\'s round surviving when its round.open.json is torn (its tag unreadable)',
    invariant: 'the next start sweeps every live process whose AGENT_RUNNER_STATE_DIR is this state dir, saves the marker to .corrupt and reports state_repaired',
    test: { file: 'test/faults/torn-state.test.ts', name: 'torn round.open.json left by a killed round: the next round sweeps the leftover tree by the state dir, saves the marker, goes on' },
  },
  {
    name: 'state_dir_own',
    prevents: 'a state_dir naming a shared dir (a team dir, /tmp, /etc, the home) being chmod-ed 0700 and filled with state files',
    invariant: 'every verb refuses an existing non-empty dir without the .agent-runner-state marker (exit 78, one line) before it creates, writes or chmods anything; an empty dir is adopted with its mode kept; only a dir agent-runner creates gets a mode',
    test: { file: 'test/integration/state-dir.test.ts', name: 'a shared dir as state_dir: round, serve, status, peek, stop and the rest exit 78 with one line; its mode and content stay' },
  },
  {
    name: 'state_dir_refused_paths',
    prevents: 'state_dir = "/" run as root turning / into 0700 and locking every other user out of the host; the same with the home, the work tree or a system dir',
    invariant: '/, the home, the work tree and its .git, the system dirs and any mount point\'s root are refused (after ~, .. and symlinks) before any file-system call that could change them',
    test: { file: 'test/integration/state-dir.test.ts', name: '"/" as state_dir, as root, in a private mount namespace whose / is a scratch tmpfs: refused, / untouched' },
  },
  {
    name: 'round_sigkill_recovered',
    prevents: 'a foreground `round` killed with SIGKILL leaving its agent running and its round unrecorded',
    invariant: 'the next round takes over the lock, records the round aborted and ends its tree',
    test: { file: 'test/faults/kill.test.ts', name: 'SIGKILL of a foreground `round` mid-round: the next round records it aborted and ends its tree' },
  },
  {
    name: 'disk_full_marker',
    prevents: 'a round number lost or used twice when serve stops before a held-back record could be written',
    invariant: 'the open-round marker survives a full disk; the next start records that round aborted',
    test: { file: 'test/faults/disk-full.test.ts', name: 'stop while serve waits for space: it exits at once, the open-round marker survives, the next round records it aborted' },
  },
  {
    name: 'no_partial_state_write',
    prevents: 'a torn ledger or events line, or a leftover temp file, from a write that ran out of space',
    invariant: 'a failed JSONL append is truncated back to the previous size; a failed atomic write removes its temp file',
    test: { file: 'test/faults/disk-full.test.ts', name: 'a state write that runs out of space leaves no partial line and no temp file' },
  },
  {
    name: 'disk_full_at_start',
    prevents: 'serve or round started on a full disk dying with "unexpected error", or leaving an empty lock file behind',
    invariant: 'a write refused for want of space is one `disk full` line and exit 75; the lock is linked into place whole, so a failed write leaves none',
    test: { file: 'test/faults/disk-full.test.ts', name: 'serve on a disk already full to the last byte: one line, exit 75, no lock left behind; it starts once there is room' },
  },
]);
