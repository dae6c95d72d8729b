// doctor's checks of the project: its config (and whether the running serve uses it), its agent (binary,
// version, a cheap auth check), and its git work tree. Data entries; doctor.ts runs them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readStatus } from '../state/status.js';
import { readRecentLedger } from '../state/ledger.js';
import { readEvents } from '../state/events.js';
import { configFingerprint } from '../config/load.js';
import { liveHolder } from '../state/lock.js';
import { statePaths } from '../state/paths.js';
import { which, whyNotFound } from '../system/which.js';
import { adapterFor } from '../agents/registry.js';
import { gitState } from '../round/git-status.js';
import { gitStateProblem } from '../round/git-state.js';
import { errorMessage, firstLine } from '../util/text.js';
import { ok, problem, type DoctorCheck } from './doctor-types.js';
import { providersCheck } from './doctor-providers.js';

/** a version probe that takes longer than this is reported, not waited for */
const VERSION_TIMEOUT_MS = 10_000;
/** an index.lock older than this, with no git running on it, is left over from a git that died */
const STALE_LOCK_S = 60;

const noConfig = () => ok('not checked: the config is broken (see config)');

export const PROJECT_CHECKS: DoctorCheck[] = [
  {
    name: 'config',
    verifies: 'the config file is valid',
    run(i) {
      if (i.config) return ok(`${i.config.configPath} is valid`);
      return problem(`${i.configPath ?? 'the config'}: ${i.configError ?? 'cannot be read'}`, 'fix the line named (docs/configuration.md), then `agent-runner restart`');
    },
  },
  {
    name: 'serve_config',
    verifies: 'a running serve uses the config on disk (it does not reload a changed one)',
    run(i) {
      const paths = statePaths(i.stateDir);
      const h = liveHolder(paths.lock);
      if (!h || h.role !== 'serve') return ok('no serve running');
      // serve recorded the fingerprint of the text it validated at start; the file now may differ
      const started = readEvents(paths.events).events.filter((e) => e.kind === 'serve_started' && e.pid === h.pid).at(-1);
      const was = typeof started?.fingerprint === 'string' ? started.fingerprint : null;
      let now: string | null = null;
      try {
        now = configFingerprint(fs.readFileSync(i.configPath ?? '', 'utf8')).slice(0, 16);
      } catch {
        /* unreadable: the config check says so */
      }
      const st = readStatus(paths);
      if ((was && now && was !== now) || (st?.pid === h.pid && st.config_changed))
        return problem(`serve (pid ${h.pid}) runs an older config than the one on disk`, '`agent-runner restart` validates the file and applies it');
      return ok(was ? `serve (pid ${h.pid}) uses the config on disk` : `serve (pid ${h.pid}) runs; its start was not recorded, so no comparison`);
    },
  },
  {
    name: 'agent',
    verifies: "the agent command resolves to an executable, and answers its version probe",
    run(i) {
      if (!i.config) return noConfig();
      const argv = i.config.agent.command;
      const envPath = i.config.agent.env.PATH ?? process.env.PATH;
      const bin = which(argv[0], envPath, i.config.workDir);
      if (!bin)
        return problem(`agent command ${whyNotFound(argv[0], i.config.workDir)}`, 'install it, or fix agent.command (`agent-runner init --preset NAME` shows the usual ones)');
      const a = adapterFor(argv);
      let version: string | null = null;
      try {
        const out = execFileSync(bin, [...a.version.args], { encoding: 'utf8', timeout: VERSION_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
        version = a.version.parse(out);
      } catch (e) {
        return ok(`${bin} (${a.title}); its version probe failed: ${firstLine(errorMessage(e))}`);
      }
      return ok(`${bin} (${a.title})${version ? `, version ${version}` : ''}`);
    },
  },
  {
    name: 'agent_auth',
    verifies: 'the last round did not end on an auth failure (a cheap check: no call to the agent)',
    run(i) {
      if (!i.config) return noConfig();
      const last = readRecentLedger(statePaths(i.stateDir)).records.at(-1); // the tail: the last round is at the end
      if (!last) return ok('no round yet');
      if (last.category === 'auth') return problem(`round ${last.n} failed to authenticate: ${last.reason ?? ''}`.trim(), adapterFor(i.config.agent.command).authHint);
      return ok(`round ${last.n} ended ${last.outcome}${last.category ? ` (${last.category})` : ''}, not on an auth failure`);
    },
  },
  providersCheck(),
  {
    name: 'model',
    verifies: "the provider lists the model the command or the environment names (serve's start asks the same; only with an API key in the environment)",
    async run(i) {
      if (!i.config) return noConfig();
      if (i.config.serve.model_check === false) return ok('not checked: [serve] model_check = false');
      if (i.config.agent.providers?.length) return ok('not checked: the rounds run on [agent] providers (see the providers check)');
      const { checkModel, missingModelMessage } = await import('../serve/model-check.js');
      const c = await checkModel(i.config.agent.command, i.config.agent.env, process.env);
      if (c.status === 'skipped') return ok(`not checked: ${c.why}`);
      if (c.status === 'missing') {
        const [what, fix] = missingModelMessage(c).split('; it comes from ');
        return problem(what, `it comes from ${fix}`);
      }
      if (c.status === 'listed') return ok(`${c.model} is among the ${c.listed} models of ${c.url}`);
      return ok(`${c.model}: ${c.url} could not say (${c.why}); the first round will`);
    },
  },
  {
    name: 'git',
    verifies: 'the work dir is a git work tree with no conflicts, no operation in progress, no stale index.lock, and HEAD on a branch',
    async run(i) {
      const dir = i.config?.workDir ?? i.workDir;
      if (!dir) return noConfig();
      let st;
      try {
        st = await gitState(dir);
      } catch (e) {
        return problem(`${dir} is not a git work tree (${firstLine(errorMessage(e))})`, `\`git init\` in ${dir}, or set runtime.work_dir`);
      }
      const bad = gitStateProblem(st, dir);
      // the preflight's line is "the problem: the fix"
      const cut = bad ? bad.indexOf(': ') : -1;
      if (bad) return cut < 0 ? problem(bad, 'see `git status`') : problem(bad.slice(0, cut), bad.slice(cut + 2));
      const lock = path.join(st.paths.gitDir, 'index.lock');
      const age = lockAgeS(lock);
      if (age !== null && age > STALE_LOCK_S)
        return problem(`${lock} is ${Math.round(age)}s old: a git that died left it, and every git write fails on it`, `if no git is running: rm ${lock}`);
      if (st.detached || !st.branch)
        return problem(`HEAD is detached at ${st.head?.slice(0, 10) ?? '?'} in ${dir}: the agent's commits land on no branch`, `git -C ${dir} switch BRANCH (or switch -c NEW)`);
      return ok(`${dir}: on ${st.branch}, ${st.head ? st.head.slice(0, 10) : 'no commit yet'}`);
    },
  },
];

function lockAgeS(file: string): number | null {
  try {
    return (Date.now() - fs.statSync(file).mtimeMs) / 1000;
  } catch {
    return null;
  }
}
