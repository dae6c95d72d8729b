// [serve] model_check under a real serve: the agent is `claude` (a fake on the command line, named so the
// Claude Code adapter is picked), and the provider a model list server on 127.0.0.1 that the CLI's own
// variables (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY) point at. A model the whole list lacks stops serve before
// a round is spent; anything else leaves the first round to decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { AGENTS_DIR, tmpDir } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';

const KEY = 'model-check-key-3f9a1c77d2';

async function modelServer(status: number, body: unknown) {
  const seen: Array<{ url: string; key: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A project whose agent command is `claude --model <model>`; `claude` is the fake that says it is done. */
function claudeProject(model: string, serveToml?: string) {
  const bin = tmpDir('ar-model-bin-');
  fs.symlinkSync(path.join(AGENTS_DIR, 'succeed.sh'), path.join(bin, 'claude'));
  return makeProject({ command: [path.join(bin, 'claude'), '-p', '--model', model], serveToml });
}

const LIST = { data: [{ id: 'claude-sonnet-4-5-20250929' }, { id: 'claude-haiku-4-5-20251001' }], has_more: false };

test('a model the provider does not list stops serve before the first round, naming it and where it is set', async () => {
  const srv = await modelServer(200, LIST);
  try {
    const p = claudeProject('claude-sonet-4-5');
    const r = await finished(p.start(['serve', '--max-rounds', '1'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: srv.url }));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /the model claude-sonet-4-5 is not among the 2 models the provider lists \(GET http:\/\/127\.0\.0\.1:\d+\/v1\/models\); it comes from \[agent\] command \(--model claude-sonet-4-5\)/);
    assert.deepEqual(p.rounds(), [], 'no round was spent');
    assert.deepEqual(srv.seen.map((s) => [s.url, s.key]), [['/v1/models?limit=1000', KEY]]);
    const stop = p.events().find((e) => e.kind === 'model_not_found_stop');
    assert.equal(stop?.model, 'claude-sonet-4-5');
    assert.equal(p.events().find((e) => e.kind === 'model_check')?.status, 'missing');
    // the key went to the server only: nothing the supervisor wrote holds it
    for (const f of fs.readdirSync(p.stateDir, { recursive: true }) as string[]) {
      const file = path.join(p.stateDir, f);
      if (fs.statSync(file).isFile()) assert.ok(!fs.readFileSync(file, 'utf8').includes(KEY), `${f} holds the key`);
    }
    assert.ok(!(r.stdout + r.stderr).includes(KEY));
    // doctor asks the same, and says the same
    const d = await finished(p.start(['doctor', '--json'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: srv.url }));
    const model = JSON.parse(d.stdout).checks.find((c: { name: string }) => c.name === 'model');
    assert.equal(model?.ok, false, d.stdout);
    assert.match(model.problem, /^the model claude-sonet-4-5 is not among the 2 models the provider lists/);
    assert.match(model.fix, /^it comes from \[agent\] command \(--model claude-sonet-4-5\): set another there/);
  } finally {
    await srv.close();
  }
});

test('a listed model (a dated version of it), a refused key or no list at all: the rounds run as before', async () => {
  for (const [status, body, model, expect] of [
    [200, LIST, 'claude-sonnet-4-5', 'listed'],
    [401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, 'claude-nope-1', 'unknown'],
    [200, { data: [], has_more: false }, 'claude-nope-1', 'unknown'],
    [200, { data: [{ id: 'claude-a-1' }], has_more: true }, 'claude-nope-1', 'unknown'],
  ] as const) {
    const srv = await modelServer(status, body);
    try {
      const p = claudeProject(model);
      const r = await finished(p.start(['serve', '--max-rounds', '1'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: srv.url }));
      assert.equal(r.code, 0, `${status} ${model}: ${r.stderr}`);
      assert.equal(p.rounds().length, 1, `${status} ${model}: the round ran`);
      assert.equal(p.events().find((e) => e.kind === 'model_check')?.status, expect);
      assert.equal(srv.seen.length, 1);
    } finally {
      await srv.close();
    }
  }
});

test('model_check = false, or no key in the environment: nothing is asked', async () => {
  const srv = await modelServer(200, LIST);
  try {
    for (const [serveToml, key] of [['model_check = false', KEY], [undefined, '']] as const) {
      const p = claudeProject('claude-nope-1', serveToml);
      const r = await finished(p.start(['serve', '--max-rounds', '1'], { ANTHROPIC_BASE_URL: srv.url, ANTHROPIC_API_KEY: key }));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(p.rounds().length, 1);
      assert.equal(p.events().find((e) => e.kind === 'model_check'), undefined);
    }
    assert.equal(srv.seen.length, 0);
  } finally {
    await srv.close();
  }
});

test('with [agent] providers the rounds go to the providers: the environment\'s endpoint is not asked', async () => {
  const srv = await modelServer(200, LIST);
  try {
    const bin = tmpDir('ar-model-bin-');
    fs.symlinkSync(path.join(AGENTS_DIR, 'succeed.sh'), path.join(bin, 'claude'));
    const p = makeProject({
      command: [path.join(bin, 'claude'), '-p', '--model', 'gw-model-1'],
      agentToml: 'providers = ["gw"]',
      extraToml: `[providers.gw]\nkind = "anthropic"\nbase_url = ${JSON.stringify(srv.url)}\napi_key = "\${env:GW_KEY}"\n`,
    });
    const r = await finished(p.start(['serve', '--max-rounds', '1'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: srv.url, GW_KEY: 'gw-key-5d1e' }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(p.rounds().length, 1);
    assert.equal(p.rounds()[0].provider, 'gw');
    assert.equal(p.events().find((e) => e.kind === 'model_check'), undefined);
    assert.deepEqual(srv.seen.filter((s) => s.url.startsWith('/v1/models')), [], 'the model list was asked');
  } finally {
    await srv.close();
  }
});
