// `rounds`, `rounds show N`, `rounds restore N`: their commander wiring (program.ts calls it; the verbs'
// modules are imported only when one runs).
import type { Command } from 'commander';
import { positiveInt } from './arg-parse.js';
import { run } from './verbs.js';

export function addRoundsVerb(program: Command, cfg: () => string | undefined): void {
  const rounds = program
    .command('rounds')
    .description('the recent rounds: when, how long, verdict, commits, the work kept under their refs, tokens, cost')
    .option('--limit <n>', `how many of the newest rounds (default 20)`, positiveInt)
    .option('--json', 'machine-readable output')
    .action((o) => run(async () => (await import('./rounds-cmd.js')).roundsListCommand({ config: cfg(), ...o })));
  rounds
    .command('show')
    .description("one round: its record, the refs that keep its work, and what its work changed")
    .argument('<n>', 'the round number')
    .option('--json', 'machine-readable output')
    .option('--patch', 'the whole diff of its work, not only its --stat')
    // `rounds show 3 --json`: commander hands --json to `rounds`, which knows it too
    .action((n: string, _o, cmd: Command) =>
      run(async () => (await import('./rounds-cmd.js')).roundsShowCommand({ config: cfg(), n, json: !!cmd.optsWithGlobals().json, patch: !!cmd.opts().patch })),
    );
  rounds
    .command('restore')
    .description("bring a round's kept work back: a branch for its commits, its stashed work applied by SHA (clean tree only)")
    .argument('<n>', 'the round number')
    .option('--branch <name>', 'put the round\'s end state on this new branch and switch to it (its stash applied there)')
    .action((n: string, o) => run(async () => (await import('./rounds-restore-cmd.js')).roundsRestoreCommand({ config: cfg(), n, branch: o.branch })));
}
