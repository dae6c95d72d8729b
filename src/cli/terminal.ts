// Whether a foreground `round` or `serve` draws its live progress line: only for a person at a terminal.
// Here, apart from the progress code, so that the check costs `round` nothing to load (progress.ts is
// imported only when this says yes).

export function liveProgress(o: { quiet?: boolean; json?: boolean }): boolean {
  return !o.quiet && !o.json && process.stderr.isTTY === true && process.env.TERM !== 'dumb';
}
