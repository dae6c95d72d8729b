// Where the dashboard listens, its token and which buttons it shows: from the flags, the environment and
// [dashboard]. Loopback needs nothing; any other address refuses to start without a token. Pure but for
// the environment it is handed.
import { EXIT, UserError } from '../errors.js';

export const TOKEN_ENV = 'AGENT_RUNNER_DASHBOARD_TOKEN';
export const DEFAULT_LISTEN = '127.0.0.1:8370';
const TOKEN_RE = /^[\x21-\x7e]{16,256}$/;

export interface Controls {
  stop: boolean;
  cancel: boolean;
  note: boolean;
}

export interface WebOptions {
  host: string;
  port: number;
  /** null: loopback without a token (the page and API are open to this machine's users only) */
  token: string | null;
  controls: Controls;
}

/** What [dashboard] holds (absent in a broken or hand-built config). */
export interface DashboardSection {
  listen?: string;
  token?: string;
  allow_stop?: boolean;
  allow_cancel?: boolean;
  allow_note?: boolean;
}

export function parseListen(spec: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(spec);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UserError(`${what} "${spec}": give HOST:PORT, e.g. 127.0.0.1:8370 or [::1]:8370`, EXIT.USAGE);
  return { host: m[1] ?? m[2], port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function resolveWebOptions(o: { listen?: string; section?: DashboardSection | null; env: NodeJS.ProcessEnv }): WebOptions {
  const s = o.section ?? {};
  const spec = o.listen ?? s.listen ?? DEFAULT_LISTEN;
  const { host, port } = parseListen(spec, o.listen !== undefined ? '--listen' : '[dashboard] listen');
  const fromEnv = o.env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '' && !TOKEN_RE.test(fromEnv))
    throw new UserError(`${TOKEN_ENV}: give 16 to 256 printable characters, no spaces`, EXIT.CONFIG);
  const token = fromEnv || s.token || null;
  if (!token && !isLoopback(host))
    throw new UserError(
      `the dashboard on ${spec} would be open to the network: set [dashboard] token or ${TOKEN_ENV}, or listen on 127.0.0.1`,
      EXIT.CONFIG,
    );
  return { host, port, token, controls: { stop: !!s.allow_stop, cancel: !!s.allow_cancel, note: !!s.allow_note } };
}
