// status.json as a running serve keeps it: the whole status held here, patched, and written whole at each
// change. The file is advisory: a write that fails (a full disk, say) is skipped, and the next change writes it whole.
import type { RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { writeStatus, type StatusFile } from '../state/status.js';

export type ServeStatusFields = Omit<StatusFile, 'updated'>;

export class ServeStatus {
  private fields: ServeStatusFields;

  constructor(private readonly paths: StatePaths) {
    this.fields = {
      state: 'running',
      mode: 'serve',
      pid: process.pid,
      started: new Date().toISOString(),
      round: null,
      last: null,
      waiting: null,
      config_changed: false,
      reason: null,
      exit_code: null,
    };
  }

  get current(): Readonly<ServeStatusFields> {
    return this.fields;
  }

  set(patch: Partial<StatusFile>): void {
    this.fields = { ...this.fields, ...patch };
    try {
      writeStatus(this.paths, this.fields);
    } catch {
      // status.json is advisory (a full disk, say): the loop goes on, and the next change writes it whole
    }
  }
}

/** status.last for a recorded round. */
export const lastOf = (r: RoundRecord): StatusFile['last'] => ({ n: r.n, outcome: r.outcome, category: r.category, end: r.end });
