// The monitor's thresholds: [monitor] of the config (defaults from the schema), checked where the
// schema cannot check them: the names in auto_stop_on, the order of the disk limits, the host names.
import { ConfigError } from '../errors.js';
import { sectionSpec } from '../config/schema.js';
import type { MonitorConfig } from '../config/types.js';
import { DETECTORS, detectorByName } from './registry.js';
import type { Thresholds } from './types.js';
import { checkHost } from './remote/validate.js';

export function defaultThresholds(): Thresholds {
  return Object.fromEntries(sectionSpec('monitor')!.keys.map((k) => [k.key, k.default])) as unknown as Thresholds;
}

export function checkThresholds(m: MonitorConfig | undefined, file: string): Thresholds {
  const t: Thresholds = { ...defaultThresholds(), ...(m ?? {}) };
  t.auto_stop_on = [...t.auto_stop_on];
  for (const name of t.auto_stop_on) {
    const d = detectorByName(name);
    const eligible = DETECTORS.filter((x) => x.autoStop).map((x) => `"${x.name}"`).join(', ');
    if (!d) throw new ConfigError(`${file}: \`monitor.auto_stop_on\` names "${name}", which is not a detector; use some of ${eligible}`);
    if (!d.autoStop) throw new ConfigError(`${file}: \`monitor.auto_stop_on\`: "${name}" cannot stop serve; use some of ${eligible}`);
  }
  t.hosts = [...(t.hosts ?? [])];
  for (const h of t.hosts) {
    try {
      checkHost(h);
    } catch (e) {
      throw new ConfigError(`${file}: \`monitor.hosts\`: ${(e as Error).message.replace(/^--host /, '')}`);
    }
  }
  if (t.disk_critical_pct < t.disk_warning_pct) {
    throw new ConfigError(
      `${file}: \`monitor.disk_critical_pct\` (${t.disk_critical_pct}) is below \`monitor.disk_warning_pct\` (${t.disk_warning_pct}); raise it or lower disk_warning_pct`,
    );
  }
  return t;
}
