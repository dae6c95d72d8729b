// Every defense as data, one file per layer under defenses/: the failure it prevents, the invariant it
// keeps, and the test that guards it. docs/defenses.md is generated from this registry (./build.sh docs),
// peek shows it, and a test fails when the doc is stale or when a named test does not exist.
import { CONFIG_DEFENSES } from './defenses/config.js';
import type { Defense } from './defenses/defense.js';
import { ROUND_DEFENSES } from './defenses/round.js';
import { SECURITY_DEFENSES } from './defenses/security.js';
import { SERVE_DEFENSES } from './defenses/serve.js';
import { STATE_DEFENSES } from './defenses/state.js';

export type { Defense, DefenseLayer } from './defenses/defense.js';

/** Grouped by layer, from the round up to the config and security. */
export const DEFENSES: Defense[] = [...ROUND_DEFENSES, ...SERVE_DEFENSES, ...STATE_DEFENSES, ...CONFIG_DEFENSES, ...SECURITY_DEFENSES];

export function renderDefensesDoc(): string {
  const rows = DEFENSES.map(
    (d) => `| \`${d.name}\` | ${d.layer} | ${d.prevents} | ${d.invariant} | \`${d.test.file}\`: “${d.test.name}” |`,
  );
  return [
    '# Defenses',
    '',
    'Generated from `src/snapshot/defenses/` (one file per layer) by `./build.sh docs`; a test fails when this file is stale.',
    '',
    '| defense | layer | prevents | invariant | guarded by |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
