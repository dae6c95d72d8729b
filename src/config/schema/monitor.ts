// [monitor]: the thresholds of `agent-runner monitor` (docs/detectors.md says what each detector means).
import { section, SECONDS_MAX_WEEK, SECONDS_MAX_DAY } from './spec.js';

export const MONITOR = section({
  name: 'monitor',
  kind: 'table',
  doc: 'Thresholds of `agent-runner monitor`; docs/detectors.md says what each detector means.',
  keys: [
    {
      key: 'interval_s',
      type: { kind: 'number', min: 1, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 60,
      doc: 'Seconds between two polls of each host in loop mode (--interval overrides it).',
    },
    {
      key: 'window_s',
      type: { kind: 'number', min: 60, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
      default: 3600,
      doc: 'Round-based detectors look only at rounds that ended within this many seconds of the snapshot.',
    },
    {
      key: 'window_rounds',
      type: { kind: 'number', min: 1, max: 1000, integer: true },
      default: 20,
      doc: 'Round-based detectors look at no more than this many of the newest rounds.',
    },
    {
      key: 'min_rounds',
      type: { kind: 'number', min: 1, max: 1000, integer: true },
      default: 3,
      doc: 'A rate (timeout_rate, smoke_fail_rate) is judged only over at least this many rounds in the window.',
    },
    {
      key: 'timeout_rate',
      type: { kind: 'number', min: 0, max: 1, integer: false },
      default: 0.5,
      doc: 'timeout_rate fires when at least this fraction of the rounds in the window timed out.',
    },
    {
      key: 'hung_factor',
      type: { kind: 'number', min: 1, max: 100, integer: false },
      default: 1.5,
      doc: 'hung fires when the open round is older than this many times its timeout.',
    },
    {
      key: 'orphan_chain',
      type: { kind: 'number', min: 2, max: 1000, integer: true },
      default: 3,
      doc: 'orphan_chain fires when this many consecutive newest rounds each left orphan work (a stash).',
    },
    {
      key: 'disk_warning_pct',
      type: { kind: 'number', min: 1, max: 100, integer: false },
      default: 85,
      doc: "disk_warning fires when the state dir's filesystem is at least this full, in percent.",
    },
    {
      key: 'disk_critical_pct',
      type: { kind: 'number', min: 1, max: 100, integer: false },
      default: 95,
      doc: 'disk_critical fires when it is at least this full, in percent; not below disk_warning_pct.',
    },
    {
      key: 'mem_available_pct',
      type: { kind: 'number', min: 0, max: 100, integer: false },
      default: 10,
      doc: 'mem_pressure fires when available memory is below this percent of the total.',
    },
    {
      key: 'oauth_fail_rounds',
      type: { kind: 'number', min: 1, max: 1000, integer: true },
      default: 1,
      doc: 'oauth_fail fires after this many auth failures since the last ok round (and, while serve runs, since it started).',
    },
    {
      key: 'network_fail_rounds',
      type: { kind: 'number', min: 1, max: 1000, integer: true },
      default: 3,
      doc: 'network_fail fires after this many network failures in the window since the last ok round.',
    },
    {
      key: 'smoke_fail_rate',
      type: { kind: 'number', min: 0, max: 1, integer: false },
      default: 0.5,
      doc: 'smoke_fail_rate fires when at least this fraction of the rounds in the window failed preflight, or the newest did.',
    },
    {
      key: 'tmp_litter_rounds',
      type: { kind: 'number', min: 2, max: 1000, integer: true },
      default: 3,
      doc: 'tmp_litter fires when this many consecutive newest rounds each left files in /tmp or /var/tmp.',
    },
    {
      key: 'heartbeat_stale_s',
      type: { kind: 'number', min: 10, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
      default: 900,
      doc: 'supervisor_stale fires when serve says it is running between rounds but has not updated its status for this long.',
    },
    {
      key: 'auto_stop_on',
      type: { kind: 'string_array', nonEmpty: false },
      default: ['oauth_fail', 'disk_critical'],
      doc: 'Detectors whose alert stops serve, as `agent-runner stop` does; only auto-stop-eligible ones (docs/detectors.md). [] never stops.',
    },
    {
      key: 'hosts',
      type: { kind: 'string_array', nonEmpty: false },
      default: [],
      doc: 'The ssh hosts of your fleet (aliases of ~/.ssh/config, or user@host): shell completion offers them for `monitor --host` (`agent-runner completion`).',
    },
  ],
});
