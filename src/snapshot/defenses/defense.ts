// What a defense says about itself: the failure it prevents, the invariant it keeps, the test that guards it.

export type DefenseLayer = 'round' | 'serve' | 'state' | 'config' | 'security';

export interface Defense {
  name: string;
  layer: DefenseLayer;
  prevents: string;
  invariant: string;
  /** test file (relative to the repo) and the exact name of the test in it */
  test: { file: string; name: string };
}

/** The defenses of one layer's file, each marked with that layer. */
export function inLayer(layer: DefenseLayer, defenses: Omit<Defense, 'layer'>[]): Defense[] {
  return defenses.map((d) => ({ name: d.name, layer, prevents: d.prevents, invariant: d.invariant, test: d.test }));
}
