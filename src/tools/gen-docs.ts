// Writes (--write) or verifies (--check) the files generated from data: the defenses table, the
// example config, the configuration reference, the config's JSON Schema and the detectors table. A stale
// file fails the check, naming the fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDefensesDoc } from '../snapshot/defenses.js';
import { renderConfigurationDoc, renderExampleToml } from '../config/example.js';
import { renderConfigJsonSchema } from '../config/json-schema.js';
import { renderDetectorsDoc } from '../monitor/registry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const GENERATED: Record<string, () => string> = {
  'docs/defenses.md': renderDefensesDoc,
  'agent-runner.toml.example': renderExampleToml,
  'docs/configuration.md': renderConfigurationDoc,
  'schema/config.schema.json': renderConfigJsonSchema,
  'docs/detectors.md': renderDetectorsDoc,
};

export function staleFiles(): string[] {
  return Object.entries(GENERATED)
    .filter(([rel, render]) => {
      try {
        return fs.readFileSync(path.join(root, rel), 'utf8') !== render();
      } catch {
        return true;
      }
    })
    .map(([rel]) => rel);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    for (const [rel, render] of Object.entries(GENERATED)) fs.writeFileSync(path.join(root, rel), render());
    console.log(`wrote ${Object.keys(GENERATED).join(', ')}`);
  } else {
    const stale = staleFiles();
    if (stale.length) {
      console.error(`stale generated docs: ${stale.join(', ')}: run ./build.sh docs`);
      process.exit(1);
    }
  }
}
