// Defenses of security: secrets, file modes, where an agent may run, shells, listeners, remote answers.
import { inLayer } from './defense.js';

export const SECURITY_DEFENSES = inLayer('security', [
  {
    name: 'secret_redaction',
    prevents: 'API keys, bearer tokens, AWS keys, JWTs, URL credentials, *_KEY/*_TOKEN/*_SECRET values and private keys the agent printed reaching the ledger, events, status, peek, events or monitor alerts',
    invariant: 'every text derived from agent output is redacted before it is written or shown; tails never start mid-line; a private key printed line by line is blanked up to its END (the raw rounds/<n>.log, 0600, is the agent\'s own transcript and is not rewritten)',
    test: { file: 'test/faults/security.test.ts', name: 'secrets never leave: events, records, status, peek, events, status, monitor alerts and notifications are redacted' },
  },
  {
    name: 'provider_key_exact_redaction',
    prevents: "a provider's key (from a key command, a file, the environment or the secrets file) that the agent or a CLI prints reaching anything agent-runner writes, in any escaped form",
    invariant: 'every key a round resolved, with its JSON-, doubly JSON- and URL-escaped forms, is cut by exact value from redact(), every JSON line and atomic state file, and the round log as it streams (docs/providers.md)',
    test: { file: 'test/integration/real-cli-providers.test.ts', name: 'claude on a provider: the key from a key command and the gateway path reach Claude Code; the key is nowhere we wrote' },
  },
  {
    name: 'no_committed_key',
    prevents: "a literal API key committed with the project in agent-runner.toml, or kept in a secrets file other users can read",
    invariant: "a provider's api_key or base_url that looks like a key is refused at load (exit 78) pointing to the secrets file or a template; the secrets file must be the user's own with no group/other permission, else exit 78 with the chmod to run",
    test: { file: 'test/integration/providers-env.test.ts', name: 'a literal key in the committed agent-runner.toml is refused at load (exit 78), pointing to the secrets file' },
  },
  {
    name: 'private_modes',
    prevents: 'state files, logs and the config readable or writable by other users under a loose umask',
    invariant: 'under umask 000 every state file is 0600 and every state dir 0700 (from ~/.local/state down); init writes the config 0600 and the prompt without group/other write',
    test: { file: 'test/faults/security.test.ts', name: 'files 0600 and dirs 0700 under umask 000: init, round, serve, start, stop, the stop file, peek, monitor' },
  },
  {
    name: 'work_dir_rules',
    prevents: 'an agent (and git aftercare) let loose on /, the home dir, or ~/.ssh ~/.gnupg ~/.aws ~/.kube ~/.config/gcloud; a path that breaks out of a unit-file line',
    invariant: 'runtime.work_dir (real path, symlinks resolved on both sides) is not /, neither inside nor above a credential dir, and holds no control character; else a one-line ConfigError (exit 78), also from init',
    test: { file: 'test/faults/security.test.ts', name: 'the work dir is validated: not /, not in or above ~/.ssh ~/.gnupg ~/.aws ~/.kube ~/.config/gcloud, real path, no line break' },
  },
  {
    name: 'no_shell_injection',
    prevents: 'a hostile host name, ssh option, remote path or project path running a command (ssh -oProxyCommand, "; rm -rf", a newline into a unit file)',
    invariant: 'every subprocess gets argv (no local shell); hosts and ssh options are checked (exit 2, one line) and the remote command is quoted word by word; unit files escape % and $ and refuse line breaks',
    test: { file: 'test/faults/security.test.ts', name: 'hostile values never reach a shell: ssh host, ssh options, remote config and command, unit files' },
  },
  {
    name: 'no_listener',
    prevents: 'a network service exposed by the supervisor or the monitor',
    invariant: 'a running serve and monitor hold no listening TCP socket and no bound UDP socket, unless asked for one: `dashboard` and `serve --http` (the dashboard, on the address given), `serve --metrics-listen` (read-only metrics, on the address given)',
    test: { file: 'test/faults/security.test.ts', name: 'nothing listens: a running serve and monitor hold no listening TCP or UDP socket' },
  },
  {
    name: 'bounded_remote_answer',
    prevents: 'a broken or hostile remote host filling the monitor\'s memory with an endless answer',
    invariant: 'ssh is ended once a host has sent 16 MiB, and the host is reported',
    test: { file: 'test/faults/security.test.ts', name: 'a remote host that floods its answer: monitor cuts it at 16 MiB and reports the host' },
  },
  {
    name: 'dashboard_token',
    prevents: 'the dashboard (state, logs, buttons) open to the network, to a web page elsewhere (DNS rebinding, a forged POST), or its token leaked',
    invariant: 'it binds loopback unless a token is set (exit 78 otherwise); with a token every request carries it, compared in constant time; without, a Host that is not loopback is refused; a POST needs the page\'s CSRF token and a same-origin Origin; the token is never printed',
    test: { file: 'test/integration/dashboard-browser.test.ts', name: 'a token is enforced on the page and the API; without one, an address beyond loopback is refused' },
  },
  {
    name: 'dashboard_text_is_text',
    prevents: 'agent output on the dashboard running as markup or script in the operator\'s browser, or showing a secret',
    invariant: 'everything the agent wrote is redacted on the server, stripped of escape sequences and set with textContent (never innerHTML); a Content-Security-Policy allows only the page\'s own script',
    test: { file: 'test/integration/dashboard-browser.test.ts', name: 'serve --http: the page shows the timeline, the round live, new rounds without a reload; note and stop work' },
  },
]);
