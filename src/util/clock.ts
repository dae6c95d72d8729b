// Which clock does what. The wall clock (Date.now) can be stepped at any moment — by NTP, by `date -s`, by a
// VM resumed from a snapshot — forward or back by hours. So:
//  - durations and relative deadlines (the round's hang guards, duration_s, the kill grace, back-off
//    delays, CLI waits, the monitor's interval) are measured on the monotonic clock, which is never stepped;
//  - timestamps that mean a moment in the world (a record's start/end, a usage limit's reset time) stay on
//    the wall clock, and a wait for such a moment re-reads the wall clock as it goes (src/serve/sleep.ts).
// Node's own timers (setTimeout/setInterval) already run on the monotonic clock.

/** Milliseconds on the monotonic clock: only differences mean anything, and only within this process. */
export function monoMs(): number {
  // the clock performance.now() reads (uv_hrtime, CLOCK_MONOTONIC), without loading perf_hooks: the global
  // `performance` loads nine modules on first touch, ~0.7 ms of every round's start
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * How far a file's time may lag Date.now(): file systems stamp with the kernel's coarse clock, one tick (1 to
 * 10 ms) behind the clock Date.now() reads, so a file made right after a Date.now() can carry an earlier time.
 * With room to spare.
 */
export const FS_CLOCK_SLACK_MS = 50;
