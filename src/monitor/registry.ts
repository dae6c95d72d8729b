// Every detector as data: name, severity, what it means, whether it may stop serve, the test that guards
// it. docs/detectors.md is generated from this table (./build.sh docs); a test fails when it is stale.
import type { Detector } from './types.js';
import { timeoutRate } from './detectors/timeout-rate.js';
import { hung } from './detectors/hung.js';
import { orphanChain } from './detectors/orphan-chain.js';
import { diskCritical, diskWarning } from './detectors/disk.js';
import { memPressure } from './detectors/mem-pressure.js';
import { oauthFail } from './detectors/oauth-fail.js';
import { networkFail } from './detectors/network-fail.js';
import { smokeFailRate } from './detectors/smoke-fail-rate.js';
import { rateLimitActive } from './detectors/rate-limit-active.js';
import { supervisorStale } from './detectors/supervisor-stale.js';
import { hostUnreachable } from './detectors/host-unreachable.js';
import { crashLoop } from './detectors/crash-loop.js';
import { tmpLitter } from './detectors/tmp-litter.js';

export const DETECTORS: readonly Detector[] = [
  oauthFail,
  diskCritical,
  diskWarning,
  memPressure,
  hung,
  supervisorStale,
  crashLoop,
  timeoutRate,
  orphanChain,
  networkFail,
  smokeFailRate,
  rateLimitActive,
  tmpLitter,
  hostUnreachable,
];

export function detectorByName(name: string): Detector | undefined {
  return DETECTORS.find((d) => d.name === name);
}

export function renderDetectorsDoc(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '# Detectors',
    '',
    '<!-- generated from src/monitor/registry.ts by ./build.sh docs; do not edit by hand -->',
    '',
    '`agent-runner monitor` runs these on each snapshot (`peek --json`, local or over ssh). Each is a pure',
    'function of the recent snapshots, the `[monitor]` thresholds (docs/configuration.md) and the time. An',
    'alert is raised once per host + detector + subject, and resolved when the condition ends. Those marked',
    'auto-stop may be listed in `monitor.auto_stop_on` (default: `oauth_fail`, `disk_critical`): their alert',
    'stops serve as `agent-runner stop` does.',
    '',
    '| detector | severity | auto-stop | what it means | what to do | guarded by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...DETECTORS.map(
      (d) =>
        `| \`${d.name}\` | ${d.severity} | ${d.autoStop ? 'eligible' : '–'} | ${esc(d.means)} | ${esc(d.action)} | \`${d.test.file}\`: ${esc(d.test.name)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
