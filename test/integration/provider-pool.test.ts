// Provider pools and failover (issue 16), end to end: real `agent-runner serve` running the real Claude Code
// (pinned) against the scripted model server's `accounts` scenario, which answers by credential as several
// accounts would (`limit<N>s`: usage limit, reset N s ahead; `bad`: 401; else the work script), all inside a
// network namespace with loopback only. Each provider is a [providers.NAME] with the server as its base_url
// and its key from ${env:…}; the host-wide provider state goes to a private XDG_STATE_HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tmpDir } from '../helpers/env.js';
import { makeProject, toml, type Project } from '../helpers/project.js';
import { baseEnv, cliSetup, homeBase, URL_TOKEN } from '../model-server/clis.js';
import { isolationProblems, netnsUnavailable, runIsolated } from '../model-server/netns.js';
import type { JobResult } from '../model-server/driver.js';
import { providerKey, readProviderState, type ProviderEntry } from '../../src/state/provider-state.js';

interface PoolProject {
  /** [providers.NAME] → its credential (put in KEY_<NAME>) */
  providers: Record<string, string>;
  /** [agent] providers (default: every provider, in the order given) */
  pool?: string[];
  select?: 'order' | 'least_used';
  maxRounds: number;
  /** then `doctor --json` in the same namespace (the server still up), its output to doctorOut */
  doctor?: boolean;
}

interface PoolRun {
  projects: Project[];
  run: JobResult;
  /** the host-wide provider state, by provider name */
  state: Record<string, ProviderEntry>;
  stateFile: string;
  /** what the assertion messages show: serve's output, each project's rounds */
  why: string;
  /** the environment for `status` and `peek` afterwards (the same XDG_STATE_HOME) */
  env: NodeJS.ProcessEnv;
  doctorOut: string;
}

/** The projects' serves, one after the other, in one namespace (one model server: one base_url for all). */
async function poolServe(specs: PoolProject[]): Promise<PoolRun> {
  const home = tmpDir('ar-home-pool-', homeBase());
  const stateHome = path.join(home, 'state');
  const setup = cliSetup('claude', { home, scenario: 'work' });
  // the server's URL through a template, as a gateway's would come
  const env: Record<string, string> = { ...baseEnv(home), AGENT_RUNNER_CONFIG: '', XDG_STATE_HOME: stateHome, AR_SERVER: URL_TOKEN };
  // the CLI's switches, without the harness's own URL and credential: the provider gives those
  for (const [k, v] of Object.entries(setup.env)) if (!/BASE_URL|API_KEY|OAUTH_TOKEN/.test(k)) env[k] = v;
  const projects = specs.map((spec) => {
    const providers = Object.entries(spec.providers)
      .map(([name, credential]) => {
        env[`KEY_${name.toUpperCase()}`] = credential;
        return `[providers.${name}]\nkind = "anthropic"\nbase_url = "\${env:AR_SERVER}"\napi_key = "\${env:KEY_${name.toUpperCase()}}"\n`;
      })
      .join('\n');
    const pool = spec.pool ?? Object.keys(spec.providers);
    return makeProject({
      command: setup.command,
      timeout: 60,
      grace: 2,
      restartDelay: 0,
      agentEnv: { ...setup.presetEnv, HOME: home },
      agentToml: `providers = ${toml(pool)}\nprovider_select = ${toml(spec.select ?? 'order')}`,
      extraToml: providers,
    });
  });
  const cli = (p: Project) => `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --config ${JSON.stringify(p.configPath)}`;
  const doctorOut = path.join(home, 'doctor.json');
  const serves = projects.map(
    (p, i) =>
      `${cli(p)} serve --max-rounds ${specs[i].maxRounds}; echo "serve ${i} exit $?" >&2` + (specs[i].doctor ? `\n${cli(p)} doctor --json > ${JSON.stringify(doctorOut)}` : ''),
  );
  const run = await runIsolated({
    scenario: 'accounts',
    workDir: projects[0].dir,
    files: [],
    argv: ['sh', '-c', serves.join('\n')],
    cwd: projects[0].dir,
    env,
    stdin: null,
    timeoutMs: 240_000,
    requestsLog: path.join(home, 'requests.jsonl'),
  });
  assert.deepEqual(isolationProblems(run), []);
  const stateFile = path.join(stateHome, 'agent-runner', 'providers.json');
  const shared = readProviderState(stateFile);
  // each name's entry, by the identity serve gives it: kind, the server's URL, a hash of the key
  const state: Record<string, ProviderEntry> = {};
  for (const spec of specs) for (const [name, credential] of Object.entries(spec.providers)) state[name] = shared.providers[providerKey('anthropic', run.url, credential, name)];
  const why = `${run.stdout}${run.stderr}\nrounds: ${projects.map((p) => JSON.stringify(p.rounds().map((r) => [r.n, r.provider, r.outcome, r.category, r.reason]))).join('\n')}`;
  return { projects, run, state, stateFile, why, env: { ...process.env, XDG_STATE_HOME: stateHome }, doctorOut };
}

/** serve i's exit code, as the job's shell reported it. */
function serveExit(r: PoolRun, i: number): number {
  const m = new RegExp(`serve ${i} exit (\\d+)`).exec(r.run.stderr);
  assert.ok(m, r.why);
  return Number(m[1]);
}

const resetsOf = (r: PoolRun) => r.run.requests.filter((q) => q.fault?.kind === 'usage_limit').map((q) => (q.fault as { resetAt: number }).resetAt);

test('pool: network namespaces work here', () => {
  assert.equal(netnsUnavailable(), null);
});

test('pool: the first provider hits its usage limit; the next round runs on the second at once, and commits', async () => {
  const r = await poolServe([{ providers: { work: 'sk-ant-oat01-limit600s-work', personal: 'sk-ant-oat01-personal' }, maxRounds: 2 }]);
  const rounds = r.projects[0].rounds();
  assert.deepEqual(rounds.map((x) => [x.provider, x.outcome, x.category]), [['work', 'failed', 'usage_limit'], ['personal', 'ok', null]], r.why);
  assert.equal(rounds[1].commits.length, 1, r.why);
  // no wait between them: the pool moved on instead of waiting for work's reset
  const events = r.projects[0].events();
  assert.equal(events.filter((e) => e.kind === 'waiting').length, 0, r.why);
  const limited = events.find((e) => e.kind === 'provider_limited');
  assert.equal(limited?.provider, 'work');
  // the shared state: work limited until the server's reset, with its source; personal ok, one round today
  const reset = new Date(resetsOf(r)[0] * 1000).toISOString();
  assert.equal(r.state.work.status, 'limited', r.why);
  assert.equal(r.state.work.until, reset);
  assert.match(r.state.work.source ?? '', /resetsAt/);
  assert.equal(r.state.personal.status, 'ok');
  assert.equal(r.state.personal.today.rounds, 1);
  assert.ok(r.state.personal.today.tokens > 0, 'the round\'s tokens are counted');
  assert.equal(serveExit(r, 0), 0, r.why);
  // status and peek show each provider
  const peek = JSON.parse(r.projects[0].run(['peek', '--json'], r.env).stdout);
  assert.deepEqual(peek.providers.map((p: { name: string; status: string; until: string | null }) => [p.name, p.status, p.until]), [['work', 'limited', reset], ['personal', 'ok', null]]);
  assert.deepEqual(peek.rounds.map((x: { provider?: string }) => x.provider), ['work', 'personal']);
  const status = r.projects[0].run(['status'], r.env).stdout;
  assert.match(status, /providers/);
  assert.match(status, /work\s+limited until .*\(in \d/);
  assert.match(status, /personal\s+ok; today 1 round,/);
  // no key in the shared state: identities are hashes
  assert.ok(!fs.readFileSync(r.stateFile, 'utf8').includes('sk-ant-oat01'), 'a key in the shared state');
});

test('pool: both providers limited: serve waits for the earlier reset, then runs on that provider', async () => {
  const r = await poolServe([{ providers: { a: 'sk-ant-oat01-limit600s-a', b: 'sk-ant-oat01-limit3s-b' }, maxRounds: 3 }]);
  const rounds = r.projects[0].rounds();
  assert.deepEqual(rounds.map((x) => [x.provider, x.category]), [['a', 'usage_limit'], ['b', 'usage_limit'], ['b', 'usage_limit']], r.why);
  const [, bReset] = resetsOf(r);
  const bResetIso = new Date(bReset * 1000).toISOString();
  const waits = r.projects[0].events().filter((e) => e.kind === 'waiting');
  assert.equal(waits.length, 1, r.why);
  assert.equal(waits[0].until, bResetIso, 'the wait is for b (the earlier reset), not a');
  assert.equal(waits[0].provider, 'b');
  assert.ok(Date.parse(rounds[2].start) >= bReset * 1000, `round 3 started ${rounds[2].start}, before b's reset ${bResetIso}`);
  assert.equal(serveExit(r, 0), 0, r.why);
});

test('pool: two supervisors share the limit of one provider: the second never runs a round on it', async () => {
  const shared = 'sk-ant-oat01-limit600s-shared';
  const r = await poolServe([
    { providers: { team: shared }, maxRounds: 1 },
    // the same account under another name, first in the pool; and an account of its own
    { providers: { company: shared, own: 'sk-ant-oat01-own' }, maxRounds: 1 },
  ]);
  assert.deepEqual(r.projects[0].rounds().map((x) => [x.provider, x.category]), [['team', 'usage_limit']], r.why);
  assert.deepEqual(r.projects[1].rounds().map((x) => [x.provider, x.outcome]), [['own', 'ok']], r.why);
  // one identity for both names: the account, not the name; limited by the first serve's round
  assert.equal(r.state.team, r.state.company);
  assert.equal(r.state.company.status, 'limited');
  assert.equal(r.state.own.status, 'ok');
  // the shared account saw requests from one round only: the second serve sent it nothing
  assert.equal(resetsOf(r).length >= 1, true, r.why);
  assert.ok(r.projects[1].events().every((e) => e.kind !== 'provider_limited'), r.why);
});

test('pool: an auth failure fails that provider and the next round runs on the next; all failed: serve stops for a person', async () => {
  // `revoked`: the free check passes, the model refuses the key: the round finds out
  const r = await poolServe([
    { providers: { broken: 'sk-ant-oat01-revoked-1', good: 'sk-ant-oat01-good' }, maxRounds: 2 },
    { providers: { x: 'sk-ant-oat01-revoked-x', y: 'sk-ant-oat01-revoked-y' }, maxRounds: 5 },
  ]);
  assert.deepEqual(r.projects[0].rounds().map((x) => [x.provider, x.outcome, x.category]), [['broken', 'failed', 'auth'], ['good', 'ok', null]], r.why);
  assert.equal(r.state.broken.status, 'failed');
  assert.match(r.state.broken.why ?? '', /^auth: /);
  assert.match(r.state.broken.hint ?? '', /setup-token/, 'the failed provider carries the CLI\'s login hint');
  assert.equal(serveExit(r, 0), 0, r.why);
  // every provider failed: exit 3 (halted), one line naming each and what to do, after two rounds, not five
  assert.deepEqual(r.projects[1].rounds().map((x) => [x.provider, x.category]), [['x', 'auth'], ['y', 'auth']], r.why);
  assert.equal(serveExit(r, 1), 3, r.why);
  assert.match(r.run.stderr, /serve stopped: no provider left in the pool: x failed \(auth: [^\n]*setup-token[^\n]*; y failed \(auth: /);
  assert.ok(r.projects[1].events().some((e) => e.kind === 'providers_stop'), r.why);
  const status = r.projects[1].run(['status'], r.env).stdout;
  assert.match(status, /x\s+failed \(auth: .*\): .*setup-token/);
});

test('pool: the preflight fails a provider whose key is refused before any round is spent on it; doctor says which', async () => {
  const r = await poolServe([{ providers: { broken: 'sk-ant-oat01-bad-1', good: 'sk-ant-oat01-good' }, maxRounds: 1, doctor: true }]);
  assert.deepEqual(r.projects[0].rounds().map((x) => [x.provider, x.outcome]), [['good', 'ok']], r.why);
  assert.equal(r.state.broken.status, 'failed');
  assert.match(r.state.broken.why ?? '', /refused the key \(HTTP 401\) \(serve's preflight\)/);
  const checked = r.projects[0].events().filter((e) => e.kind === 'provider_checked').map((e) => [e.provider, e.ok]);
  assert.deepEqual(checked, [['broken', false], ['good', true]], r.why);
  // the model server saw no model call with the refused key: its count_tokens was the only request
  assert.deepEqual(r.run.requests.filter((q) => q.main && q.fault?.kind === 'auth'), [], r.why);
  // doctor makes the same check: a problem naming the refused provider, the good one ok
  const doctor = JSON.parse(fs.readFileSync(r.doctorOut, 'utf8')) as { checks: Array<{ name: string; ok: boolean; problem?: string; fix?: string }> };
  const check = doctor.checks.find((c) => c.name === 'providers');
  assert.equal(check?.ok, false, JSON.stringify(doctor));
  assert.equal(check?.problem, 'broken: the provider refused the key (HTTP 401)');
  assert.ok(!JSON.stringify(doctor).includes('sk-ant-oat01'), 'no key in doctor\'s output');
});
