// --metrics-listen HOST:PORT, checked where the flag is parsed (a usage error) and where it is used. Pure.
import { EXIT, UserError } from '../../errors.js';

export function parseListen(spec: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(spec);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new UserError(`--metrics-listen "${spec}" is not HOST:PORT; give e.g. --metrics-listen 127.0.0.1:9464`, EXIT.USAGE);
  }
  return { host: m[1] ?? m[2], port };
}
