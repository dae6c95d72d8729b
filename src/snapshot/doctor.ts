// `doctor`: the host and the project checked against what agent-runner needs, as data. Each check has a name,
// what it verifies, and a run that gives ok (with what it saw) or a problem with the one line that fixes it.
// Adding a check is one entry in DOCTOR_CHECKS; the CLI only renders the report.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateDirKind, refusalOf } from '../state/ownership.js';
import { stateDirRefusal } from '../state/refused-dirs.js';
import { STATE_MARKER, statePaths } from '../state/paths.js';
import { DIR_MODE, FILE_MODE } from '../state/files.js';
import { ok, problem, type DoctorCheck, type DoctorInput, type DoctorResult } from './doctor-types.js';
import { PROJECT_CHECKS } from './doctor-project.js';
import { HOST_CHECKS } from './doctor-host.js';

export type { DoctorCheck, DoctorInput, DoctorResult };

export interface DoctorReport {
  ok: boolean;
  checks: ({ name: string } & DoctorResult)[];
}

/** At most this many paths are named in one line; the count says how many more. */
const NAMED = 5;

/** the state dir's own checks: they need no config and no host tools */
export const STATE_CHECKS: DoctorCheck[] = [
  {
    name: 'state_dir',
    verifies: `the state dir is agent-runner's own (it carries ${STATE_MARKER}) or can become so (missing, or empty)`,
    run({ stateDir, facts }) {
      const refused = stateDirRefusal(stateDir, facts);
      if (refused) return problem(refused, 'set runtime.state_dir to a new directory, or remove it to use the default');
      const kind = stateDirKind(stateDir);
      const bad = refusalOf(stateDir, kind);
      if (bad) return problem(bad, 'set runtime.state_dir to a new directory, or remove it to use the default');
      switch (kind) {
        case 'missing':
          return ok(`${stateDir} does not exist yet; the first round makes it`);
        case 'empty':
          return ok(`${stateDir} is empty; the first round adopts it`);
        case 'legacy':
          return problem(
            `${stateDir} has no ${STATE_MARKER} (made by an earlier agent-runner)`,
            'run `agent-runner round` or `agent-runner serve` once: it recognises its own files and writes the marker',
          );
        default:
          return ok(`${stateDir} carries ${STATE_MARKER}`);
      }
    },
  },
  {
    name: 'state_modes',
    verifies: `every state file is at most ${FILE_MODE.toString(8)} and every state dir at most ${DIR_MODE.toString(8)}`,
    run({ stateDir }) {
      const kind = stateDirKind(stateDir);
      if (kind !== 'ours' && kind !== 'legacy') return ok(`nothing to check (${kind === 'missing' || kind === 'empty' ? kind : 'not agent-runner\'s'})`);
      const wide = widerThanOwn(stateDir);
      if (wide.length === 0) return ok(`files ${FILE_MODE.toString(8)}, dirs ${DIR_MODE.toString(8)}`);
      const named = wide.slice(0, NAMED).map((w) => `${w.rel} ${w.mode.toString(8)}`).join(', ');
      const more = wide.length > NAMED ? ` and ${wide.length - NAMED} more` : '';
      return problem(
        `${wide.length} state path(s) others may read or write: ${named}${more}`,
        `chmod -R go-rwx ${stateDir} (files need only 600, dirs 700)`,
      );
    },
  },
];

/** Every check, in the order doctor prints them: the state dir, the project (config, agent, git), the host. */
export const DOCTOR_CHECKS: DoctorCheck[] = [...STATE_CHECKS, ...PROJECT_CHECKS, ...HOST_CHECKS];

/**
 * The files and dirs under `top` (itself included) with a mode bit beyond 0600 / 0700. Symlinks are skipped, and
 * so is what lies in the rounds' temp dirs (tmp/, itself checked): the agent's files, behind a 0700 dir.
 */
export function widerThanOwn(top: string): { rel: string; mode: number }[] {
  const out: { rel: string; mode: number }[] = [];
  const boxes = statePaths(top).tmpBoxes;
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // gone meanwhile
    }
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode & ~DIR_MODE) out.push({ rel: path.relative(top, p) || '.', mode });
      if (p === boxes) return;
      let names: string[] = [];
      try {
        names = fs.readdirSync(p);
      } catch {
        /* unreadable: its mode is reported above if it is the reason */
      }
      for (const n of names.sort()) visit(path.join(p, n));
    } else if (st.isFile() && mode & ~FILE_MODE) out.push({ rel: path.relative(top, p), mode });
  };
  visit(top);
  return out;
}

export async function runDoctor(input: DoctorInput, checks: DoctorCheck[] = DOCTOR_CHECKS): Promise<DoctorReport> {
  const results = [];
  for (const c of checks) {
    try {
      results.push({ name: c.name, ...(await c.run(input)) });
    } catch (e) {
      // a check that cannot run is a finding too, not a crash of the whole report
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      results.push({ name: c.name, ...problem(`the check could not run: ${msg}`, 'rerun with AGENT_RUNNER_DEBUG=1, or report it') });
    }
  }
  return { ok: results.every((r) => r.ok), checks: results };
}
