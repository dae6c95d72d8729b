// `agent-runner doctor`: renders snapshot/doctor.ts's report, human or --json. Exit 0 only when every check passes.
import { loadObserverContext, stateDirFacts } from '../config/context.js';
import { EXIT } from '../errors.js';
import { runDoctor, type DoctorReport } from '../snapshot/doctor.js';

function human(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) =>
    c.ok ? `ok    ${c.name.padEnd(width)}  ${c.detail}` : `FAIL  ${c.name.padEnd(width)}  ${c.problem}\n      ${' '.repeat(width)}  fix: ${c.fix}`,
  );
  return lines.join('\n') + '\n';
}

export async function doctorCommand(o: { config?: string; json: boolean }): Promise<number> {
  // no guard: a state dir that other verbs refuse is exactly what doctor is asked about
  const ctx = loadObserverContext(o.config, { guard: false });
  const report = runDoctor({ stateDir: ctx.paths.dir, facts: stateDirFacts(ctx.workDir) });
  process.stdout.write(o.json ? JSON.stringify(report) + '\n' : human(report));
  return report.ok ? EXIT.OK : EXIT.FAILURE;
}
