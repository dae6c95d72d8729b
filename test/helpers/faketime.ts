// libfaketime, for tests of the supervisor's wall clock (Debian's `faketime` package).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Debian's faketime package puts it under /usr/lib/<multiarch>/faketime/. Missing: null (the caller fails). */
export function findLibfaketime(): string | null {
  for (const d of fs.readdirSync('/usr/lib')) {
    const so = path.join('/usr/lib', d, 'faketime', 'libfaketime.so.1');
    if (fs.existsSync(so)) return so;
  }
  return null;
}
