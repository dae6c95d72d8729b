// A model the provider does not know, in each real CLI's own shape (Claude Code, Codex, Gemini CLI, opencode against the
// scripted model server's 404, loopback only): `serve` stops after the first round, exit 3 (halted), with one
// line naming the model the CLI asked for, and a model_not_found_stop event. No restart is tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRounds, realRounds } from '../helpers/real-cli-rounds.js';
import { CLIS } from '../model-server/clis.js';
import type { RecordedRequest } from '../model-server/server.js';

/** The model a request asked for: in the body (Anthropic, OpenAI) or the path (Gemini's models/NAME:…). */
function modelAsked(q: RecordedRequest): string | null {
  const body = q.body as { model?: unknown } | null;
  if (typeof body?.model === 'string') return body.model;
  return /\/models\/([^:/?]+)/.exec(q.url)?.[1] ?? null;
}

const WHERE: Record<string, string> = {
  claude: "Claude Code's default, or `model` in its settings",
  codex: "Codex's config.toml (`model`",
  gemini: "Gemini CLI's default, or `model.name` in its settings",
  opencode: "opencode's config (`model` in opencode.json",
  kilo: "Kilo's config (`model` in kilo.json",
};

for (const cli of CLIS) {
  test(`${cli} model_not_found under serve: stops at once, exit 3, one line naming the model`, async () => {
    const r = await realRounds(cli, 'model_not_found', { rounds: 1, verb: ['serve'] });
    const why = describeRounds(r);
    assert.match(r.run.stdout, /agent-runner exit 3\n/, why);
    assert.equal(r.records.length, 1, `a restart was tried: ${why}`);
    assert.equal(r.records[0].category, 'model_not_found', why);
    const asked = r.run.requests.filter((q) => q.main).map(modelAsked);
    assert.ok(asked.length > 0 && asked[0], why);
    const model = asked[0]!;
    const lines = r.run.stderr.split('\n').filter((l) => l.includes('is not known to the provider'));
    assert.equal(lines.length, 1, `the stop is said once: ${r.run.stderr}`);
    assert.ok(lines[0].includes(`the model ${model} is not known to the provider`), `${lines[0]} (asked for ${model})`);
    // and where that model was set: the test's Codex reads it from its config.toml; Claude Code and Gemini CLI use their default
    assert.ok(lines[0].includes(`; it comes from ${WHERE[cli]}`) && lines[0].includes(": set another there, then"), lines[0]);
    const stops = r.project.events().filter((e) => e.kind === 'model_not_found_stop');
    assert.equal(stops.length, 1, why);
    assert.ok(String(stops[0].message).includes(model));
  });
}
