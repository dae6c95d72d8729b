// Generated docs are current, every defense names a test that exists, and docs/commands.md covers --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { staleFiles } from '../../src/tools/gen-docs.js';
import { DEFENSES } from '../../src/snapshot/defenses.js';
import { buildProgram } from '../../src/cli/program.js';
import { REPO_ROOT } from '../helpers/env.js';

test('generated docs are not stale (./build.sh docs rewrites them)', () => {
  assert.deepEqual(staleFiles(), []);
});

test('every defense names a test that exists', () => {
  for (const d of DEFENSES) {
    const file = path.join(REPO_ROOT, d.test.file);
    assert.ok(fs.existsSync(file), `${d.name}: ${d.test.file} missing`);
    const src = fs.readFileSync(file, 'utf8');
    assert.ok(src.includes(`test('${d.test.name}'`) || src.includes(`test("${d.test.name}"`), `${d.name}: no test named "${d.test.name}" in ${d.test.file}`);
  }
});

test('docs/commands.md covers every verb and flag of --help', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'commands.md'), 'utf8');
  const program = buildProgram();
  for (const o of program.options) assert.ok(doc.includes(o.long!), `global flag ${o.long} undocumented`);
  for (const c of program.commands) {
    assert.match(doc, new RegExp(`^## \`${c.name()}`, 'm'), `verb ${c.name()} has no section`);
    const section = doc.split(new RegExp(`^## \`${c.name()}`, 'm'))[1].split(/^## /m)[0];
    for (const o of c.options) assert.ok(section.includes(o.long!), `${c.name()} ${o.long} undocumented`);
  }
});
