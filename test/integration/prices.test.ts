// A Codex round's cost from the shipped price table: the agent replays Codex's real `exec --json` output
// (srv-codex-work: tokens, no cost, no model), its command names the model (`--model gpt-5-codex`, which
// replay.mjs ignores as Codex would not), and the round's cost is its tokens times the table's prices, with
// the table named as the source in the record, in `peek` and in `peek --json`. Config comes before the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENTS_DIR, REPO_ROOT, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';
import { readAgentFixture } from '../helpers/fixtures.js';
import { validate } from '../helpers/json-schema.js';
import { SHIPPED_PRICES } from '../../src/agents/prices.js';

const SNAPSHOT_SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'snapshot.schema.json'), 'utf8'));
const WORK = readAgentFixture('srv-codex-work');
const USAGE = JSON.parse(WORK.stdout.split('\n').find((l) => l.includes('"turn.completed"'))!).usage as Record<string, number>;
const OPENAI = SHIPPED_PRICES.find((v) => v.vendor === 'openai')!;

function codexReplay(extraToml = '') {
  const file = path.join(tmpDir('ar-prices-'), 'codex.jsonl');
  fs.writeFileSync(file, WORK.stdout);
  return makeProject({ command: [process.execPath, path.join(AGENTS_DIR, 'replay.mjs'), file, 'exit:0', '--model', 'gpt-5-codex'], extraToml });
}

test("a Codex round's cost is its tokens times the shipped table's prices for the model, and says so", () => {
  const p = codexReplay();
  assert.equal(p.run(['round']).code, 0);
  const u = p.rounds()[0].usage!;
  assert.equal(u.model, null, "Codex's stream names no model: the command's --model prices it");
  // Codex counts cached input inside input_tokens; the round records the uncached part
  assert.deepEqual([u.input_tokens, u.cached_tokens, u.output_tokens], [USAGE.input_tokens - USAGE.cached_input_tokens, USAGE.cached_input_tokens, USAGE.output_tokens]);
  const price = OPENAI.models['gpt-5-codex'];
  const expected = Math.round(((u.input_tokens * price.input_usd_per_mtok + u.output_tokens * price.output_usd_per_mtok + u.cached_tokens * price.cached_usd_per_mtok) / 1e6) * 1e6) / 1e6;
  assert.ok(expected > 0);
  assert.equal(u.cost_usd, expected);
  assert.equal(u.cost_source, `table:openai ${OPENAI.read}`);
  assert.match(p.run(['peek']).stdout, new RegExp(`\\$${expected.toFixed(4).replace('.', '\\.')} \\(table:openai ${OPENAI.read}\\)`));
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.deepEqual(validate(SNAPSHOT_SCHEMA, snap), []);
  assert.equal(snap.rounds.at(-1).usage.cost_source, `table:openai ${OPENAI.read}`);
});

test('config prices come before the table: a [[model_price]] for the model, else a non-zero flat [pricing]', () => {
  const own = codexReplay('[[model_price]]\nmodel = "gpt-5-codex"\ninput_usd_per_mtok = 100\noutput_usd_per_mtok = 0\n');
  assert.equal(own.run(['round']).code, 0);
  const u = own.rounds()[0].usage!;
  assert.deepEqual([u.cost_usd, u.cost_source], [(u.input_tokens * 100) / 1e6, 'config']);
  const flat = codexReplay('[pricing]\noutput_usd_per_mtok = 1000\n');
  assert.equal(flat.run(['round']).code, 0);
  const f = flat.rounds()[0].usage!;
  assert.deepEqual([f.cost_usd, f.cost_source], [(f.output_tokens * 1000) / 1e6, 'config']);
});
