// `agent-runner doctor`: renders snapshot/doctor.ts's report, human or --json. Exit 0 only when every check passes.
import { loadObserverContext, stateDirFacts } from '../config/context.js';
import { loadConfig } from '../config/load.js';
import { EXIT } from '../errors.js';
import { runDoctor, type DoctorReport } from '../snapshot/doctor.js';
import { errorMessage, terminalSafe } from '../util/text.js';

function human(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) =>
    c.ok ? `ok    ${c.name.padEnd(width)}  ${c.detail}` : `FAIL  ${c.name.padEnd(width)}  ${c.problem}\n      ${' '.repeat(width)}  fix: ${c.fix}`,
  );
  // a round's reason (agent_auth) is agent text
  return terminalSafe(lines.join('\n')) + '\n';
}

export async function doctorCommand(o: { config?: string; json: boolean }): Promise<number> {
  // no guard: a state dir that other verbs refuse is exactly what doctor is asked about
  const ctx = loadObserverContext(o.config, { guard: false });
  let configError: string | null = null;
  if (!ctx.config) {
    try {
      loadConfig(ctx.configPath);
    } catch (e) {
      configError = errorMessage(e).split('\n')[0];
    }
  }
  const report = await runDoctor({
    stateDir: ctx.paths.dir,
    facts: stateDirFacts(ctx.workDir),
    configPath: ctx.configPath,
    config: ctx.config,
    configError,
    workDir: ctx.workDir,
  });
  process.stdout.write(o.json ? JSON.stringify(report) + '\n' : human(report));
  return report.ok ? EXIT.OK : EXIT.FAILURE;
}
