// The command line: commander wiring only (bin/agent-runner.js runs main.ts, which hands the plain forms of
// round, status, peek and --version to fast-path.ts first). Each verb's module is imported when that verb
// runs, so `status` does not pay for what `round` needs.
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT } from '../errors.js';
import { showTimesInUtc } from '../util/time-display.js';
import { parseListen } from '../serve/metrics/listen.js';
import { MOMENT_FORMATS, parseMoment, parseSpan } from '../util/when.js';
import { peekVerb, probeVerb, reportError, roundVerb, run, statusVerb, version } from './verbs.js';
import { addRoundsVerb } from './rounds-program.js';
import { positiveInt } from './arg-parse.js';

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds, 0 or more');
  return n;
}

/**
 * presetNames: init's `--preset` choices, the first its default (the agent registry's PRESET_NAMES). main
 * loads the registry only when the command line names `init`, so no other verb pays for it.
 */
export function buildProgram(presetNames: readonly string[] = []): Command {
  const program = new Command('agent-runner');
  program
    .description('Run an autonomous coding agent round after round in a git project, safely.')
    .version(version(), '-V, --version')
    .option('-c, --config <path>', 'the config file (default: agent-runner.toml here or in a parent dir, or $AGENT_RUNNER_CONFIG)')
    .option('--utc', 'show times in UTC instead of the local zone (--json always gives ISO-8601)')
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride();

  const cfg = () => program.opts().config as string | undefined;
  program.hook('preAction', () => showTimesInUtc(program.opts().utc === true));

  program
    .command('init')
    .description('write agent-runner.toml and prompts/main.md into this git project, and commit them')
    .addOption(presetOption(presetNames))
    .option('--force', 'overwrite existing files')
    .option('--no-commit', 'write the files but do not commit them')
    .option('--list-presets', 'list the presets, each verified (by which real-CLI test) or unverified (and why); writes nothing')
    .action((o) =>
      run(async () => (await import('./init-cmd.js')).initCommand({ preset: o.preset, force: !!o.force, commit: o.commit, listPresets: !!o.listPresets })),
    );

  program
    .command('round')
    .description('run one round of the agent now, in the foreground')
    .option('--phase <name>', 'run this phase instead of the rotation\'s next one')
    .option('--json', 'print the round record as JSON')
    .option('--quiet', 'no live progress line and no summary: the exit code says how it ended')
    .action((o) => roundVerb({ config: cfg(), ...o }));

  program
    .command('serve')
    .description('run rounds until told to stop (the loop; what systemd runs)')
    .option('--once', 'run one round, then stop')
    .option('--max-rounds <n>', 'stop after this many rounds', positiveInt)
    .option('--until <time>', 'stop at this moment: "YYYY-MM-DD HH:MM" (local), an ISO time with a zone, or "HH:MM" (the next one)', untilArg)
    .option('--max-runtime <span>', 'stop after running this long: "8h", "1h30m", "2d", or seconds', spanArg)
    .option('--quiet', 'no live progress line and no per-round summary lines (serve\'s own messages still go to stderr)')
    .option('--http <addr>', 'also serve the dashboard on HOST:PORT (docs/dashboard.md); beyond loopback it needs a token')
    .option('--metrics-file <path>', 'keep the Prometheus metrics in this file, rewritten atomically (node_exporter\'s textfile collector)')
    .option('--metrics-listen <host:port>', 'serve the Prometheus metrics on GET /metrics, e.g. 127.0.0.1:9464', listenAddress)
    .option(
      '--park',
      'for a container (docs/scale-out.md): a stop, an auth stop or the done sentinel parks serve (alive, idle) instead of ending it, until `start`; SIGTERM ends the round now (cancelled) and exits 0',
    )
    .action((o) =>
      run(async () => {
        const base = { config: cfg(), once: !!o.once, maxRounds: o.maxRounds, until: o.until, maxRuntime: o.maxRuntime, metricsFile: o.metricsFile, metricsListen: o.metricsListen, park: !!o.park };
        return o.http !== undefined
          ? (await import('./dashboard-cmd.js')).serveWithHttp({ ...base, http: o.http, quiet: !!o.quiet })
          : (await import('./serve-cmd.js')).serveVerb({ ...base, quiet: !!o.quiet });
      }),
    );

  program
    .command('start')
    .description('start serve in the background (through systemd when a unit is installed)')
    .action(() => run(async () => (await import('./control-cmd.js')).startCommand({ config: cfg() })));

  program
    .command('stop')
    .description('stop serve gracefully: the current round finishes and is recorded')
    .option('--timeout <s>', 'give up waiting after this many seconds (serve keeps stopping)', seconds)
    .action((o) => run(async () => (await import('./control-cmd.js')).stopCommand({ config: cfg(), timeout: o.timeout })));

  program
    .command('cancel')
    .description('interrupt the current round now (recorded cancelled) and stop the loop')
    .option('--timeout <s>', 'give up waiting after this many seconds', seconds)
    .action((o) => run(async () => (await import('./control-cmd.js')).cancelCommand({ config: cfg(), timeout: o.timeout })));

  program
    .command('kill')
    .description('end serve and the whole round tree immediately; nothing survives')
    .action(() => run(async () => (await import('./control-cmd.js')).killCommand({ config: cfg() })));

  program
    .command('restart')
    .description('stop (or with --force, kill) serve, then start it again with the config re-validated')
    .option('--force', 'kill instead of waiting for the current round')
    .option('--timeout <s>', 'how long the current round may finish before it is cancelled', seconds)
    .action((o) =>
      run(async () => (await import('./control-cmd.js')).restartCommand({ config: cfg(), force: !!o.force, timeout: o.timeout })),
    );

  program
    .command('status')
    .description('is serve running, what round is it on, how did the last one end')
    .option('--json', 'machine-readable output')
    .action((o) => statusVerb({ config: cfg(), json: o.json }));

  program
    .command('probe')
    .description('a container probe: live (serve\'s heartbeat is fresh) or ready (serve runs, not waiting); exit 0 or 1, one line why')
    .addArgument(new Argument('<kind>', 'live or ready').choices(['live', 'ready']))
    .option('--max-age <s>', 'live: the oldest heartbeat that still counts (default 60)', (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 1 || n > 86_400) throw new InvalidArgumentError('expected a number of seconds from 1 to 86400');
      return n;
    })
    .action((kind: string, o) => probeVerb({ config: cfg(), kind, maxAge: o.maxAge }));

  program
    .command('doctor')
    .description('check that this project and host are fit to run (the state dir is agent-runner\'s own, its modes)')
    .option('--json', 'machine-readable output')
    .action((o) => run(async () => (await import('./doctor-cmd.js')).doctorCommand({ config: cfg(), json: !!o.json })));

  program
    .command('install')
    .description('install serve (and with --monitor, the monitor) as systemd units, enabled and started')
    .option('--monitor', 'also install a unit for `agent-runner monitor`')
    .option('--system', 'write system units (/etc/systemd/system, with User=) instead of user units; needs root')
    .option('--dry-run', 'print the units and change nothing')
    .action((o) =>
      run(async () =>
        (await import('./install-cmd.js')).installCommand({ config: cfg(), monitor: !!o.monitor, system: !!o.system, dryRun: !!o.dryRun }),
      ),
    );

  program
    .command('uninstall')
    .description('stop, disable and remove the systemd units install wrote (a second run is fine)')
    .action(() => run(async () => (await import('./install-cmd.js')).uninstallCommand({ config: cfg() })));

  program
    .command('note')
    .description("queue a note for the next round's prompt, without stopping serve")
    .argument('[text...]', 'the note')
    .option('--list', 'show the notes waiting for the next round')
    .option('--clear', 'drop the notes waiting')
    .option('--json', 'machine-readable output')
    .action((text: string[], o) => run(async () => (await import('./note-cmd.js')).noteCommand({ config: cfg(), text, ...o })));

  addRoundsVerb(program, cfg);

  program
    .command('events')
    .description('print events.jsonl as NDJSON')
    .option('--kind <kinds>', 'only these kinds, comma-separated')
    .option('--window <n>', 'only the last N events', positiveInt)
    .option('--tail', 'keep printing new events as they arrive')
    .action((o) => run(async () => (await import('./events-cmd.js')).eventsCommand({ config: cfg(), ...o })));

  program
    .command('peek')
    .description('the snapshot: service state, current and recent rounds, orphan work, git, host (what monitor reads)')
    .option('--json', 'the whole snapshot as one JSON object (schema/snapshot.schema.json)')
    .option('--select <path>', 'print one value by a dotted path, e.g. service.state or rounds.0.outcome')
    .option('--round <n>', 'print one round\'s record instead: a number or "latest"')
    .option('--log', 'with --round: also the last 100 lines of its log (redacted)')
    .option('--events <n>', 'add the last n events', positiveInt)
    .option('--rounds <n>', 'how many of the newest rounds the snapshot holds (default 20)', positiveInt)
    .action((o) => peekVerb({ config: cfg(), ...o }));

  program
    .command('watch')
    .description('peek, redrawn every few seconds until Ctrl-C')
    .option('--interval <s>', 'seconds between snapshots (default 2)', seconds)
    .action((o) => run(async () => (await import('./watch-cmd.js')).watchCommand({ config: cfg(), interval: o.interval })));

  program
    .command('monitor')
    .description('watch serve (here, on --host over ssh, or in --kube pods) and print alerts when a detector fires or clears; stop serve on the harmful ones')
    .option('--host <alias>', 'watch this ssh host instead of the local project (repeatable: a fleet)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--kube', 'watch the pods kubectl lists (one `get pods` per poll) through `kubectl exec`, instead of the local project')
    .option('--namespace <ns>', '--kube: the namespace (default: the kubectl context\'s)')
    .option('--selector <labels>', '--kube: a label selector (default: app.kubernetes.io/name=agent-runner)')
    .option('--context <name>', '--kube: the kubeconfig context (default: the current one)')
    .option('--container <name>', '--kube: the container to exec in (default: the pod\'s default container)')
    .option('--interval <s>', 'seconds between polls (default: monitor.interval_s, 60)', (v: string) => {
      const n = Number(v);
      // a day at most, like watch: a poll that far apart watches nothing
      if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new InvalidArgumentError('expected a number of seconds above 0, at most 86400');
      return n;
    })
    .option('--once', 'poll once, print what changed, exit')
    .option('--rounds <n>', 'how many of the newest rounds each snapshot holds, here or on --host (default: monitor.window_rounds)', positiveInt)
    .option('--json', 'NDJSON: one alert transition a line')
    .option('--remote-config <path>', 'the config path on the hosts (default: the local config\'s path; --kube: the pod\'s own)')
    .option('--remote-command <cmd>', 'the agent-runner command on the hosts or in the pods, split into words (default: agent-runner)')
    .option('--ssh-option <k=v>', 'an ssh -o option, e.g. Port=2222 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((o) => run(async () => (await import('./monitor-cmd.js')).monitorCommand({ config: cfg(), ...o })));

  program
    .command('completion')
    .description('print the shell completion script: verbs, flags, presets, monitor.hosts (`source <(agent-runner completion bash)`)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => run(async () => (await import('./completion-cmd.js')).completionCommand({ shell, config: cfg() })));

  program
    .command('dashboard')
    .description('serve the dashboard and its read-only JSON API (here, or --host a --host b side by side); see docs/dashboard.md')
    .option('--listen <addr>', 'HOST:PORT to listen on (default: dashboard.listen, 127.0.0.1:8370); beyond loopback it needs a token')
    .option('--host <alias>', 'show this ssh host instead of the local project (repeatable: a fleet)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--interval <s>', 'seconds between polls of each --host (default 10)', (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 1 || n > 86_400) throw new InvalidArgumentError('expected a number of seconds, 1 to 86400');
      return n;
    })
    .option('--remote-config <path>', 'the config path on the hosts (default: the local config\'s path)')
    .option('--remote-command <cmd>', 'the agent-runner command on the hosts, split into words (default: agent-runner)')
    .option('--ssh-option <k=v>', 'an ssh -o option, e.g. Port=2222 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((o) => run(async () => (await import('./dashboard-cmd.js')).dashboardCommand({ config: cfg(), ...o })));

  program
    .command('metrics')
    .description('print the Prometheus metrics of this project (text exposition format; docs/metrics.md)')
    .action(() => run(async () => (await import('./metrics-cmd.js')).metricsCommand({ config: cfg() })));

  const notify = program.command('notify').description('the [[notify]] channels (docs/notifications.md)');
  notify
    .command('test')
    .description('send a test message on every channel and report each result')
    .option('--json', 'the results as one JSON array')
    .action((o) => run(async () => (await import('./notify-cmd.js')).notifyTestCommand({ config: cfg(), json: !!o.json })));
  notify
    .command('flush')
    .description('send what a stopped serve left queued (serve sends its own queue while it runs)')
    .option('--timeout <s>', 'give up after this many seconds; what is left stays queued (default 60)', seconds)
    .action((o) => run(async () => (await import('./notify-cmd.js')).notifyFlushCommand({ config: cfg(), timeout: o.timeout })));

  return program;
}

function untilArg(v: string): string {
  const ms = parseMoment(v);
  if (ms === null) throw new InvalidArgumentError(`expected ${MOMENT_FORMATS}`);
  if (ms <= Date.now()) throw new InvalidArgumentError('that moment has passed; name one to come');
  return v;
}

function spanArg(v: string): string {
  if (parseSpan(v) === null) throw new InvalidArgumentError('expected a span above 0 such as "8h", "1h30m", "2d", or a number of seconds');
  return v;
}

function listenAddress(v: string): string {
  try {
    parseListen(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--metrics-listen /, ''));
  }
  return v;
}

function presetOption(names: readonly string[]): Option {
  const o = new Option('--preset <name>', 'which agent to configure');
  return names.length ? o.choices(names).default(names[0]) : o;
}

export async function main(argv: string[]): Promise<void> {
  const presets = argv.slice(2).includes('init') ? (await import('../agents/registry.js')).PRESET_NAMES : [];
  const program = buildProgram(presets);
  if (argv.length <= 2) {
    program.outputHelp();
    process.exitCode = EXIT.USAGE;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is a usage error
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.exitCode = reportError(e);
  }
}

