// The layer order and the size limit of src/, read from the files themselves (see docs/architecture.md).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Top to bottom: a folder may import its own files and any folder below it, never one above. */
export const LAYERS = ['tools', 'cli', 'web', 'monitor', 'snapshot', 'serve', 'round', 'agents', 'config', 'state', 'system', 'util'];
/** Files directly under src/ that sit below every layer (anyone may import them). */
const FLOOR = new Set(['errors.ts']);

export const MAX_LINES = 300;
/** file (relative to src/) → why it may be longer. The list only shrinks. */
export const SIZE_EXCEPTIONS: Record<string, string> = {};

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out;
}

export function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function rank(rel: string): number {
  if (FLOOR.has(rel)) return LAYERS.length;
  const top = rel.split(path.sep)[0];
  const i = LAYERS.indexOf(top);
  if (i < 0 || !rel.includes(path.sep)) throw new Error(`src/${rel} is in no layer: put it in one of ${LAYERS.join(', ')}`);
  return i;
}

// static, type-only, re-export and dynamic imports alike
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

export function layerViolations(root: string): string[] {
  const out: string[] = [];
  for (const rel of sourceFiles(root).sort()) {
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = path.relative(root, path.resolve(root, path.dirname(rel), m[2])).replace(/\.js$/, '.ts');
      const from = rank(rel);
      const to = rank(target);
      if (to < from) out.push(`${rel} imports '${m[2]}' (${rel.split(path.sep)[0]} may not import ${target.split(path.sep)[0]})`);
    }
  }
  return out;
}

export function oversizedFiles(root: string): string[] {
  return sourceFiles(root)
    .sort()
    .map((rel) => ({ rel, n: lineCount(fs.readFileSync(path.join(root, rel), 'utf8')) }))
    .filter(({ rel, n }) => n > MAX_LINES && !(rel in SIZE_EXCEPTIONS))
    .map(({ rel, n }) => `${rel} has ${n} lines`);
}
