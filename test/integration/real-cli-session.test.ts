// [agent] continue_session with the real Claude Code and Codex (pinned dev dependencies) against the scripted
// model server, all inside a network namespace with loopback only: two `agent-runner round`s in a row, and what
// the CLI sent the server in round 2. The request sizes are reported as diagnostics (docs/configuration.md
// quotes them).
import { test } from 'node:test';
import { countTokens } from 'gpt-tokenizer';
import assert from 'node:assert/strict';
import { describeRounds, realRounds, type RealRounds } from '../helpers/real-cli-rounds.js';
import { expectedUsage, FINAL_TEXT, WORK_TURNS } from '../model-server/scenarios.js';
import type { CliName } from '../model-server/clis.js';
import type { RecordedRequest } from '../model-server/server.js';

/** What a request sent as its conversation: Anthropic's messages, the Responses API's input. */
function conversation(q: RecordedRequest): string {
  const b = q.body as { messages?: unknown; input?: unknown };
  return JSON.stringify(b.messages ?? b.input ?? null);
}

const CALL_PREFIX: Record<string, string> = { claude: 'toolu', codex: 'call' };

/**
 * Tokens of a request body as OpenAI's o200k_base tokenizer counts its JSON: a measured estimate of what the
 * request costs (the server's own usage figures are scripted). A provider counts its rendered prompt, not the
 * JSON, and Claude's tokenizer is not o200k, so the figure is for comparing fresh with continued rounds.
 */
const tokens = (v: unknown) => countTokens(JSON.stringify(v ?? null));

function sizes(r: RealRounds, n: number): string {
  const reqs = r.mainOf(n);
  const all = reqs.reduce((s, q) => s + JSON.stringify(q.body).length, 0);
  const allTokens = reqs.reduce((s, q) => s + tokens(q.body), 0);
  return (
    `round ${n}: ${reqs.length} requests, first ${JSON.stringify(reqs[0]?.body).length} bytes / ${tokens(reqs[0]?.body)} tokens ` +
    `(conversation ${conversation(reqs[0]).length} bytes / ${countTokens(conversation(reqs[0]))} tokens), all ${all} bytes / ${allTokens} tokens`
  );
}

for (const cli of ['claude', 'codex'] as CliName[]) {
  test(`${cli} continue_session: round 2 resumes round 1's conversation; the session id is on both records`, async (t) => {
    const r = await realRounds(cli, 'work', { rounds: 2, agentToml: 'continue_session = true' });
    const why = describeRounds(r);
    const [r1, r2] = r.records;
    assert.equal(r.records.length, 2, why);
    assert.equal(r1.outcome, 'ok', why);
    assert.equal(r2.outcome, 'ok', why);
    assert.ok(r1.session?.id, `round 1 has no session id: ${why}`);
    assert.deepEqual({ resumed: r1.session.resumed, round: r1.session.round, why: r1.session.why }, { resumed: null, round: 1, why: 'first_round' });
    assert.ok(r2.session?.id, `round 2 has no session id: ${why}`);
    assert.deepEqual({ resumed: r2.session.resumed, round: r2.session.round, why: r2.session.why }, { resumed: r1.session.id, round: 2, why: 'continued' });
    // the CLI continued the same conversation under the same id
    assert.equal(r2.session.id, r1.session.id);

    // round 2's first request carries round 1's conversation: its prompt, its tool calls, its final answer
    const [first] = r.mainOf(2);
    assert.ok(first, `no request of round 2: ${why}`);
    const said = conversation(first);
    assert.match(said, /Round: 1\b/);
    assert.ok(said.includes(`${CALL_PREFIX[cli]}_srv_t0_0`) && said.includes(`${CALL_PREFIX[cli]}_srv_t1_0`), `round 1's tool calls are not in round 2's request: ${said.slice(0, 3000)}`);
    assert.ok(said.includes(FINAL_TEXT), "round 1's final answer is not in round 2's request");
    // and the server, reading the conversation, went on from round 1's last turn instead of starting over
    assert.equal(first.answer, 'turn 2');
    assert.equal(r.mainOf(1).length, 3);
    // round 2's tokens are its own turn's, though Codex reports the thread's totals on a resumed thread
    const own = r2.usage && { input_tokens: r2.usage.input_tokens, output_tokens: r2.usage.output_tokens, cached_tokens: r2.usage.cached_tokens };
    assert.deepEqual(own, expectedUsage([WORK_TURNS[2]], r.setup.dialect), why);
    t.diagnostic(`${cli} continued: ${sizes(r, 1)}; ${sizes(r, 2)}; usage r1 ${JSON.stringify(r1.usage)} r2 ${JSON.stringify(r2.usage)}`);
  });

  test(`${cli} continue_session after a failed round: round 2 starts a fresh session, and its record says why`, async () => {
    const r = await realRounds(cli, 'fail_round_1', { rounds: 2, agentToml: 'continue_session = true' });
    const why = describeRounds(r);
    const [r1, r2] = r.records;
    assert.equal(r.records.length, 2, why);
    assert.equal(r1.outcome, 'failed', why);
    assert.equal(r1.category, 'model_not_found', why);
    assert.ok(r1.session?.id, `the CLI named its session before the model failed: ${why}`);
    assert.equal(r2.outcome, 'ok', why);
    assert.equal(r2.commits.length, 1, why);
    assert.equal(r2.session?.resumed, null, why);
    assert.equal(r2.session?.why, 'failed_round');
    assert.match(r2.session?.detail ?? '', /round 1 ended failed \(model_not_found\)/);
    assert.ok(r2.session?.id && r2.session.id !== r1.session.id, `round 2 ran in round 1's session: ${why}`);
    // nothing of round 1 in round 2's requests: it started from turn 0 with its own prompt alone
    const second = r.mainOf(2);
    assert.equal(second[0]?.answer, 'turn 0', why);
    for (const q of second) assert.doesNotMatch(conversation(q), /Round: 1\b/);
  });

  test(`${cli} continue_session when the CLI has lost the session: that round says so, the next starts fresh`, async () => {
    // a pre_round hook removes the CLI's saved sessions before each round: round 2's resume finds none
    const forget = cli === 'claude' ? 'rm -rf "$HOME/.claude/projects"' : 'rm -rf "$CODEX_HOME/sessions"';
    const r = await realRounds(cli, 'work', { rounds: 3, agentToml: 'continue_session = true', extraToml: `[hooks]\npre_round = ${JSON.stringify(forget)}\n` });
    const why = describeRounds(r);
    const [r1, r2, r3] = r.records;
    assert.equal(r.records.length, 3, why);
    assert.equal(r1.outcome, 'ok', why);
    assert.equal(r2.session?.resumed, r1.session?.id, why);
    assert.equal(r2.session?.unknown, true, why);
    assert.equal(r2.outcome, 'failed', why);
    assert.equal(r.mainOf(2).length, 0, 'the CLI asked the model nothing for a session it does not have');
    assert.equal(r3.outcome, 'ok', why);
    assert.deepEqual({ resumed: r3.session?.resumed, why: r3.session?.why }, { resumed: null, why: 'unknown_session' }, why);
    assert.equal(r.mainOf(3)[0]?.answer, 'turn 0', why);
    assert.deepEqual(r.records.map((x) => x.hooks?.map((h) => [h.hook, h.exit_code])), [[['pre_round', 0]], [['pre_round', 0]], [['pre_round', 0]]]);
  });

  test(`${cli} without continue_session (the default): every round is fresh, and the record has no session`, async (t) => {
    const r = await realRounds(cli, 'work', { rounds: 2 });
    const why = describeRounds(r);
    const [r1, r2] = r.records;
    assert.equal(r.records.length, 2, why);
    assert.equal(r1.session ?? null, null);
    assert.equal(r2.session ?? null, null);
    const second = r.mainOf(2);
    assert.equal(second[0]?.answer, 'turn 0', why);
    for (const q of second) assert.doesNotMatch(conversation(q), /Round: 1\b/);
    t.diagnostic(`${cli} fresh: ${sizes(r, 1)}; ${sizes(r, 2)}; usage r1 ${JSON.stringify(r1.usage)} r2 ${JSON.stringify(r2.usage)}`);
  });
}
