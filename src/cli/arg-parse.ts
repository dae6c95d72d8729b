// Flag values checked as commander parses them: one module, so the verb files that add their own commands
// (rounds-program.ts) need not import program.ts, which imports them.
import { InvalidArgumentError } from 'commander';

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}
