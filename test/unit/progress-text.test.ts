// The progress line's text (src/cli/progress-text.ts): figures as people read them, the agent's last action
// as one terminal-safe line, and the summary a round ends with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionOf, liveLine, summaryLine, waitingLine } from '../../src/cli/progress-text.js';
import { fmtCost, fmtTokens, usageBits } from '../../src/round/describe.js';
import type { AgentEvent } from '../../src/agents/events.js';
import { bareRecord } from '../../src/round/record.js';
import { showTimesInUtc } from '../../src/util/time-display.js';

const ev = (o: Partial<AgentEvent>): AgentEvent => ({ type: 'text', stream: 'stdout', format: 'text', raw: '', bytes: 0, ...o });

test('tokens and cost as people read them; nothing for an agent that reported none', () => {
  assert.deepEqual([0, 850, 1234, 12_400, 999_999, 3_100_000].map(fmtTokens), ['0', '850', '1.2k', '12k', '1.0M', '3.1M']);
  assert.deepEqual([0, 0.0042, 0.0523, 12.5].map(fmtCost), ['$0.00', '$0.0042', '$0.05', '$12.50']);
  assert.deepEqual(usageBits(null), []);
  assert.deepEqual(usageBits({ input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: null }), []);
  assert.deepEqual(usageBits({ input_tokens: 1300, output_tokens: 340, cached_tokens: 19_500, cost_usd: 0.0523 }), ['tokens 21k in / 340 out', '$0.05']);
});

test('the last action: tool calls, words, errors, a rejected limit; never an escape or a second line', () => {
  assert.equal(actionOf(ev({ type: 'tool_use', tool: 'Bash', summary: 'Bash' })), 'tool Bash');
  assert.equal(actionOf(ev({ type: 'message', summary: 'tests pass \x1b]0;pwned\x07\x1b[2Jnow\ncommitting' })), 'says "tests pass now committing"');
  assert.equal(actionOf(ev({ type: 'error', summary: 'overloaded' })), 'error: overloaded');
  assert.equal(actionOf(ev({ type: 'text', raw: '\x1b[31mred\x1b[0m\rline' })), 'redline');
  assert.equal(actionOf(ev({ type: 'rate_limit', limit_status: 'allowed' })), null);
  assert.match(actionOf(ev({ type: 'rate_limit', limit_status: 'rejected', resets_at: '2026-12-06T14:30:00Z' }))!, /^rate limit reached, resets .*\(/);
  assert.equal(actionOf(ev({ type: 'usage' })), null);
  assert.equal(actionOf(ev({ type: 'text', raw: '   ' })), null);
});

test('the live line fits the terminal; the summary carries outcome, duration, commits, tokens, cost, then the reason', () => {
  const line = liveLine({ n: 3, phase: 'review', elapsedS: 42, timeoutS: 1800, usage: { input_tokens: 1, output_tokens: 2, cached_tokens: 0, cost_usd: 0.5 }, action: 'says "' + 'x'.repeat(200) + '"' }, 79);
  assert.equal(line.length, 79);
  assert.match(line, /^round 3 \[review\] · 42s \/ 30m00s · tokens 1 in \/ 2 out · \$0\.50 · says "x+…$/);
  const r = bareRecord({ n: 4, phase: null, start: '2026-12-06T07:00:00Z', end: '2026-12-06T07:00:12Z', duration_s: 12.5, outcome: 'failed', category: 'crash', exit_code: 1, commits: ['a', 'b'], reason: 'boom \x1b[2J', usage: { format: 'claude', model: null, input_tokens: 10, output_tokens: 5, cached_tokens: 0, cost_usd: 0.0042, turns: 1, tool_calls: 0 } });
  assert.equal(summaryLine(r), 'round 4: failed (crash), exit 1, 12.5s, 2 commits, tokens 10 in / 5 out, $0.0042 — boom ');
  // a wait shown to the second when it is near, in the zone asked for (--utc here)
  showTimesInUtc(true);
  const now = Date.parse('2026-12-06T07:00:00Z');
  assert.equal(waitingLine({ until: '2026-12-06T07:00:05Z', why: 'usage limit' }, 100, now), 'waiting until 07:00:05 UTC (in 5s): usage limit');
  assert.equal(waitingLine({ until: '2026-12-06T09:30:00Z', why: 'usage limit' }, 100, now), 'waiting until 09:30 UTC (in 2h30m): usage limit');
  showTimesInUtc(false);
});
