// The leash: an agent may edit the config, but serve keeps running on what it validated at start (a change
// takes effect only through `restart`, which validates it). Before each round the file on disk is compared with
// that; each new change is reported once (`config_changed`).
import { appendEvent } from '../state/events.js';
import { configFingerprint } from '../config/load.js';
import { MAX_BYTES, readRegularText } from '../state/read-file.js';

export class ConfigLeash {
  private seen: string;

  /** `validated`: the fingerprint of the config text serve validated at start */
  constructor(
    private readonly file: string,
    private readonly validated: string,
    private readonly eventsFile: string,
  ) {
    this.seen = validated;
  }

  /** Whether the file on disk now differs from what serve validated. */
  changed(): boolean {
    const fp = currentFingerprint(this.file);
    if (fp !== this.seen) {
      this.seen = fp;
      appendEvent(this.eventsFile, 'config_changed', { file: this.file, fingerprint: fp.slice(0, 16), effect: 'on restart' });
    }
    return fp !== this.validated;
  }
}

function currentFingerprint(file: string): string {
  try {
    return configFingerprint(readRegularText(file, MAX_BYTES.config));
  } catch {
    return 'unreadable';
  }
}
