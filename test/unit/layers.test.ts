// The house rules, as tests: imports only go down the layer order, and no source file grows past 300 lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/env.js';
import { layerViolations, lineCount, oversizedFiles, sourceFiles, MAX_LINES, SIZE_EXCEPTIONS } from '../helpers/layers.js';

const SRC = path.join(REPO_ROOT, 'src');

test('imports only go down: cli → web → monitor → snapshot → serve → round → agents → config → state → system → util', () => {
  assert.deepEqual(layerViolations(SRC), []);
});

test('the layer check names a climbing import, a type-only one and a dynamic one', () => {
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, 'build', 'layers-'));
  try {
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    put('state/a.ts', "import { x } from '../cli/b.js';\n");
    put('system/c.ts', "import type { Y } from '../round/d.js';\n");
    put('util/e.ts', "const m = await import('../monitor/f.js');\n");
    put('round/g.ts', "import { z } from '../state/h.js';\nimport { EXIT } from '../errors.js';\n");
    put('cli/b.ts', '');
    assert.deepEqual(layerViolations(dir), [
      "state/a.ts imports '../cli/b.js' (state may not import cli)",
      "system/c.ts imports '../round/d.js' (system may not import round)",
      "util/e.ts imports '../monitor/f.js' (util may not import monitor)",
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(`no source file is over ${MAX_LINES} lines, but for the listed exceptions`, () => {
  assert.deepEqual(oversizedFiles(SRC), []);
  // an exception that no longer needs its place is taken off the list, so it only shrinks
  for (const file of Object.keys(SIZE_EXCEPTIONS)) {
    const lines = lineCount(fs.readFileSync(path.join(SRC, file), "utf8"));
    assert.ok(lines > MAX_LINES, `${file} is ${lines} lines now: take it off SIZE_EXCEPTIONS`);
  }
});

test('the size check names a file over the limit', () => {
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, 'build', 'sizes-'));
  try {
    fs.mkdirSync(path.join(dir, 'round'));
    fs.writeFileSync(path.join(dir, 'round', 'long.ts'), 'x;\n'.repeat(MAX_LINES + 1));
    fs.writeFileSync(path.join(dir, 'round', 'short.ts'), 'x;\n'.repeat(10));
    assert.deepEqual(oversizedFiles(dir), [`round/long.ts has ${MAX_LINES + 1} lines`]);
    assert.deepEqual(sourceFiles(dir).sort(), ['round/long.ts', 'round/short.ts']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('package.json holds only what is used: each dependency imported from src/, each devDependency by the build, tests or bench', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const read = (dir: string) => sourceFiles(path.join(REPO_ROOT, dir)).map((f) => fs.readFileSync(path.join(REPO_ROOT, dir, f), 'utf8'));
  const imported = (texts: string[], name: string) =>
    texts.some((t) => new RegExp(`(from\\s*|import\\s*\\(\\s*)['"]${name.replace(/[/.]/g, '\\$&')}(/[^'"]*)?['"]`).test(t));
  const src = read('src');
  for (const name of Object.keys(pkg.dependencies ?? {})) assert.ok(imported(src, name), `dependency ${name} is imported nowhere in src/: remove it`);
  // dev tools are used by name too (tsc in build.sh, an agent CLI's bin in a test), and @types/* by the compiler
  const dev = [...read('test'), ...read('bench'), ...src, fs.readFileSync(path.join(REPO_ROOT, 'build.sh'), 'utf8')];
  for (const name of Object.keys(pkg.devDependencies ?? {})) {
    if (name.startsWith('@types/')) continue;
    assert.ok(imported(dev, name) || dev.some((t) => t.includes(`node_modules/${name}/`) || t.includes(`'${name}'`) || /\btsc\b/.test(t) && name === 'typescript'),
      `devDependency ${name} is used nowhere: remove it`);
  }
});
