// What the command line may hand to ssh, checked before any process starts. Nothing here ever reaches a
// local shell (execFile argv only); the remote command is quoted word by word for the remote one.
import { UserError, EXIT } from '../../errors.js';

/** an ssh destination: [user@]host, an alias of ~/.ssh/config, an IPv4/IPv6 literal */
const HOST_RE = /^[A-Za-z0-9_.%:@\[\]-]{1,255}$/;

export function checkHost(h: string): string {
  if (h.startsWith('-')) throw new UserError(`--host "${printable(h)}": a host cannot start with "-"`, EXIT.USAGE);
  if (!HOST_RE.test(h)) {
    throw new UserError(`--host "${printable(h)}": use letters, digits and . _ - @ : % [ ] only (no spaces, shell characters or newlines)`, EXIT.USAGE);
  }
  return h;
}

/** Options the monitor sets itself, or that would run a local command: use ~/.ssh/config for those. */
const RESERVED_OPTIONS = new Set(
  ['BatchMode', 'ControlMaster', 'ControlPath', 'ControlPersist', 'ProxyCommand', 'LocalCommand', 'PermitLocalCommand', 'RemoteCommand', 'KnownHostsCommand', 'Include'].map((k) =>
    k.toLowerCase(),
  ),
);

/** K=V for ssh -o: K a plain option name, V one line. */
export function checkSshOption(kv: string): string {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/s.exec(kv);
  if (!m) throw new UserError(`--ssh-option "${printable(kv)}": write KEY=VALUE, e.g. Port=2222`, EXIT.USAGE);
  const [, key, value] = m;
  if (/[\n\r\0]/.test(value) || value.trim() !== value || value.startsWith('-')) {
    throw new UserError(`--ssh-option ${key}: the value must be one line, without leading or trailing spaces or a leading "-"`, EXIT.USAGE);
  }
  if (RESERVED_OPTIONS.has(key.toLowerCase())) {
    throw new UserError(`--ssh-option ${key} is not allowed (the monitor sets it, or it runs a local command); put it in ~/.ssh/config`, EXIT.USAGE);
  }
  return `${key}=${value}`;
}

/** --remote-command: split on whitespace, with '...' or "..." keeping spaces inside one word. */
export function splitCommand(cmd: string): string[] {
  if (/[\n\r\0]/.test(cmd)) throw new UserError('--remote-command: one line, please', EXIT.USAGE);
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cmd))) words.push(m[1] ?? m[2] ?? m[3]);
  if (words.length === 0) throw new UserError('--remote-command is empty; e.g. --remote-command agent-runner', EXIT.USAGE);
  return words;
}

/** One word for a POSIX shell, whatever it contains: ssh hands the remote shell a single string. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function printable(s: string): string {
  return JSON.stringify(s).slice(1, -1).slice(0, 80);
}

/** a namespace is a DNS-1123 label */
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A value for one of kubectl's flags (--context, --selector, --container, --namespace): it goes to kubectl
 * as one argv word, never through a shell; one line, and not a flag of its own.
 */
export function checkKubeValue(flag: string, v: string): string {
  if (v === '' || /[\n\r\0]/.test(v) || v.startsWith('-')) {
    throw new UserError(`${flag} "${printable(v)}": give one line that does not start with "-"`, EXIT.USAGE);
  }
  if (flag === '--namespace' && !NAMESPACE_RE.test(v)) {
    throw new UserError(`--namespace "${printable(v)}": a namespace is lower-case letters, digits and "-" (at most 63)`, EXIT.USAGE);
  }
  return v;
}
