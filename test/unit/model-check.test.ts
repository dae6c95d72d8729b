// The model check's pure parts (serve/model-check.ts): which model and list a command leads to, and what a
// list says of a model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelCheckPlan, modelListed } from '../../src/serve/model-check.js';
import { adapterFor } from '../../src/agents/registry.js';

test('a model is listed as it is, or as a dated version of it; an alias of another model is not', () => {
  const ids = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'gpt-5.5'];
  assert.ok(modelListed('claude-sonnet-4-5', ids));
  assert.ok(modelListed('claude-sonnet-4-5-20250929', ids));
  assert.ok(modelListed('GPT-5.5', ids));
  assert.ok(modelListed('claude-sonnet-4-5[1m]', ids));
  assert.ok(!modelListed('claude-sonnet-4', ids.slice(2)));
  assert.ok(!modelListed('gpt-5', ['gpt-5.5']), 'gpt-5 is not gpt-5.5');
  assert.ok(!modelListed('claude-nope-1', ids));
});

test('the plan: the model from the command or the environment, the key and base URL the CLI reads', () => {
  const p = modelCheckPlan(['claude', '-p', '--model', 'claude-x-1'], { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/' }, { ANTHROPIC_API_KEY: 'k1' });
  assert.ok(!('skip' in p));
  assert.equal(p.url, 'http://127.0.0.1:9/v1/models?limit=1000');
  assert.deepEqual(p.headers, { 'x-api-key': 'k1', 'anthropic-version': '2023-06-01' });
  assert.equal(p.model, 'claude-x-1');
  assert.equal(p.source, '[agent] command (--model claude-x-1)');

  const c = modelCheckPlan(['codex', 'exec', '-m=gpt-9'], {}, { OPENAI_API_KEY: 'k2' });
  assert.ok(!('skip' in c));
  assert.equal(c.url, 'https://api.openai.com/v1/models');
  assert.deepEqual(c.headers, { authorization: 'Bearer k2' });

  const g = modelCheckPlan(['gemini', '-p', 'x'], { GEMINI_MODEL: 'gemini-9-pro', GEMINI_API_KEY: 'k3' }, {});
  assert.ok(!('skip' in g));
  assert.equal(g.source, '[agent.env] GEMINI_MODEL');
  assert.deepEqual(g.read({ models: [{ name: 'models/gemini-9-pro' }], nextPageToken: 't' }), { ids: ['gemini-9-pro'], complete: false });
});

test('nothing is asked without a model id, without a key, or for a CLI with no list', () => {
  const skip = (cmd: string[], agentEnv: Record<string, string>, env: Record<string, string>) => {
    const p = modelCheckPlan(cmd, agentEnv, env);
    return 'skip' in p ? p.skip : null;
  };
  assert.match(skip(['claude', '-p'], {}, { ANTHROPIC_API_KEY: 'k' })!, /CLI's own settings or default/);
  assert.match(skip(['claude', '--model', 'sonnet'], {}, { ANTHROPIC_API_KEY: 'k' })!, /alias/);
  assert.match(skip(['gemini', '-m', 'pro'], {}, { GEMINI_API_KEY: 'k' })!, /alias/);
  assert.match(skip(['claude', '--model', 'claude-x-1'], {}, {})!, /no API key in the environment \(ANTHROPIC_API_KEY\)/);
  assert.match(skip(['my-agent', '--model', 'x-1'], {}, {})!, new RegExp(`${adapterFor(['my-agent']).title} has no model list`));
});
