// Checks before the agent starts. Each is data: a name, what it verifies, and the fix it suggests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir } from '../state/files.js';
import { which, whyNotFound } from '../system/which.js';
import { checkSpace, shortageText } from '../system/disk-space.js';
import { GitError } from './git.js';
import { headStill } from './git-head.js';
import { repoFacts } from './git-discover.js';
import { probeRepo, type RepoProbe } from './repo-probe.js';
import { gitState, type GitState } from './git-status.js';
import { gitStateProblem } from './git-state.js';
import { rootRefusal, rootRefusalNotes } from '../agents/agent-cli.js';
import { BadFileError, MAX_BYTES, readRegularText } from '../state/read-file.js';

export interface PreflightInput {
  stateDir: string;
  workDir: string;
  argv0: string;
  agentPath: string | undefined;
  promptFiles: string[];
  /** what the git checks learned, filled in as they run: the round reuses it instead of asking git again */
  seen?: PreflightSeen;
  /** the git questions, when the caller already asked them (for the work tree's lock): reused if nothing moved */
  known?: RepoProbe;
  /** runtime.min_free_mb for a foreground round; serve leaves it unset (it waits for space instead of failing) */
  minFreeMb?: number;
  /** the whole agent command, the environment it gets, and our uid: for the agent_as_root check */
  command?: readonly string[];
  agentEnv?: NodeJS.ProcessEnv;
  uid?: number | null;
}

export interface PreflightSeen {
  /** the git state, asked for together with work_dir's rev-parse (its ls-files runs beside it) */
  pending?: Promise<GitState>;
  git?: GitState;
}

export interface PreflightFailure {
  check: string;
  message: string;
}

/** The smallest prompt worth paying an agent for; shorter is almost always a mistake (an empty file). */
export const MIN_PROMPT_CHARS = 20;

type Check = {
  name: string;
  verifies: string;
  run: (i: PreflightInput) => Promise<string | null> | string | null;
};

export const PREFLIGHT_CHECKS: Check[] = [
  {
    name: 'state_dir',
    verifies: 'the state dir exists (0700) and is writable',
    run(i) {
      try {
        ensureDir(i.stateDir);
        const probe = path.join(i.stateDir, `.probe-${process.pid}`);
        fs.writeFileSync(probe, '', { mode: 0o600 });
        fs.unlinkSync(probe);
        return null;
      } catch (e) {
        return `state dir ${i.stateDir} is not writable (${(e as NodeJS.ErrnoException).code ?? e}): fix its permissions or set runtime.state_dir`;
      }
    },
  },
  {
    name: 'disk_space',
    verifies: 'the state dir and the work dir have runtime.min_free_mb free (a foreground round; serve waits instead)',
    run(i) {
      const short = checkSpace([i.stateDir, i.workDir], i.minFreeMb ?? 0);
      return short
        ? `disk full: ${shortageText(short)}: free some space, or lower runtime.min_free_mb`
        : null;
    },
  },
  {
    name: 'work_dir',
    verifies: 'the work dir is a git work tree',
    async run(i) {
      if (!fs.existsSync(i.workDir)) return `work dir ${i.workDir} does not exist: set runtime.work_dir`;
      // the round needs HEAD and the repository's paths anyway: one rev-parse (or its files: git-discover.ts)
      // answers both, and git_state's ls-files runs beside it (its answer waits for that check; a failure here
      // makes it moot)
      // the caller's answer while HEAD is where it saw it; else (or if that failed) asked again here, both questions
      // at once (repo-probe.ts: from the files where the layout is plain)
      const probe = i.known ?? (i.seen ? probeRepo(i.workDir) : undefined);
      const repo = i.known ? headStill(i.known.facts, i.workDir) : (probe?.facts ?? repoFacts(i.workDir));
      if (i.seen) (i.seen.pending = gitState(i.workDir, probe, repo)).catch(() => {});
      try {
        await repo;
        return null;
      } catch (e) {
        const why = e instanceof GitError ? e.message.replace(/^git [^:]*: (fatal: )?/, '') : '';
        const detail = why && !/not a git repository/i.test(why) ? ` (${why})` : '';
        return `work dir ${i.workDir} is not a git work tree${detail}: run \`git init\` there, or set runtime.work_dir`;
      }
    },
  },
  {
    name: 'git_state',
    verifies: 'no rebase, merge, cherry-pick, revert, am or bisect is in progress and no file is left unmerged',
    async run(i) {
      let st: GitState;
      try {
        st = await (i.seen?.pending ?? gitState(i.workDir));
      } catch (e) {
        return `the git state of work dir ${i.workDir} cannot be read (${e instanceof Error ? e.message : e}): run \`git status\` there to see why`;
      }
      if (i.seen) i.seen.git = st;
      return gitStateProblem(st, i.workDir);
    },
  },
  {
    name: 'agent_binary',
    verifies: 'the agent command resolves to an executable',
    run(i) {
      if (which(i.argv0, i.agentPath, i.workDir)) return null;
      const why = whyNotFound(i.argv0, i.workDir);
      if (!i.argv0.includes('/')) return `agent command ${why}: install it, or put its absolute path in agent.command`;
      return `agent command ${why}: ${why.startsWith('not found') ? 'install it there' : '`chmod +x` it'}, or fix agent.command`;
    },
  },
  {
    name: 'agent_as_root',
    verifies: `the agent CLI accepts its flags as this user (${rootRefusalNotes()})`,
    run(i) {
      return rootRefusal(i.command ?? [i.argv0], i.agentEnv ?? {}, i.uid ?? null);
    },
  },
  {
    name: 'prompt',
    verifies: `every prompt file exists, holds at least ${MIN_PROMPT_CHARS} characters, and does not start with "-"`,
    run(i) {
      if (i.promptFiles.length === 0) return 'no prompt file is configured: set prompt.file';
      for (const f of i.promptFiles) {
        let text: string;
        try {
          text = readRegularText(f, MAX_BYTES.prompt);
        } catch (e) {
          if (e instanceof BadFileError) return `prompt ${e.message}: fix prompt.file`;
          return `prompt file ${f} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): create it, or fix prompt.file`;
        }
        const t = text.trim();
        if (t.length < MIN_PROMPT_CHARS)
          return `prompt file ${f} holds only ${t.length} characters: write the agent's instructions in it`;
        if (t.startsWith('-'))
          return `prompt file ${f} starts with "-", which an agent CLI would read as a flag: begin it with a word`;
      }
      return null;
    },
  },
];

/** The check a preflight_failed record names: its reason is `<check>: <message>` (recordPreflightFailure). */
export function failedCheck(r: { outcome: string; reason: string | null }): string | null {
  if (r.outcome !== 'preflight_failed' || !r.reason) return null;
  const m = /^([a-z_]+): /.exec(r.reason);
  return m && PREFLIGHT_CHECKS.some((c) => c.name === m[1]) ? m[1] : null;
}

/** Runs the checks in order and stops at the first failure. */
export async function preflight(i: PreflightInput): Promise<PreflightFailure | null> {
  for (const c of PREFLIGHT_CHECKS) {
    const problem = await c.run(i);
    if (problem) return { check: c.name, message: problem };
  }
  return null;
}
