// Where a round's model was set, as serve's model_not_found stop names it: a flag of the command, a variable of
// [agent.env] or of the environment, else the CLI's own settings or default (each adapter's `model`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelSource } from '../../src/agents/model-source.js';
import { PRESETS } from '../../src/agents/presets.js';

test('modelSource: the command line first, then [agent.env], then the environment, then the CLI\'s settings', () => {
  assert.equal(modelSource([...PRESETS.claude.command, '--model', 'claude-x'], {}, {}), '[agent] command (--model claude-x)');
  assert.equal(modelSource(['codex', 'exec', '--model=gpt-x', '-'], {}, {}), '[agent] command (--model=gpt-x)');
  assert.equal(modelSource(['codex', 'exec', '-m', 'gpt-x', '-'], {}, {}), '[agent] command (-m gpt-x)');
  assert.equal(modelSource(PRESETS.claude.command, { ANTHROPIC_MODEL: 'claude-x' }, {}), '[agent.env] ANTHROPIC_MODEL');
  assert.equal(modelSource(PRESETS.gemini.command, {}, { GEMINI_MODEL: 'g' }), 'GEMINI_MODEL in the environment agent-runner starts from');
  assert.match(modelSource(PRESETS.codex.command, {}, {}), /^Codex's config\.toml/);
  assert.match(modelSource(PRESETS.claude.command, {}, {}), /^Claude Code's default/);
  // aider's -m is its message, not a model: only the generic --model counts for a CLI without its own table
  assert.equal(modelSource(['aider', '-m', 'fix it'], {}, {}), "the CLI's own settings or its default");
  assert.equal(modelSource(['my-agent', '--model', 'm1'], {}, {}), '[agent] command (--model m1)');
});
