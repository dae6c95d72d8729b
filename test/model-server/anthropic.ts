// The Anthropic Messages API as Claude Code calls it (ANTHROPIC_BASE_URL), and opencode through its anthropic
// provider (baseURL in its config): POST /v1/messages (streamed or not), /v1/messages/count_tokens, the HEAD /
// probe. Tool calls use the CLI's own tools: Claude Code's Write {file_path, content}, Bash {command,
// description}; opencode's write {filePath, content}, bash {command, description}. Errors have the API's shape
// ({"type":"error","error":{"type","message"}}, request-id header); the usage limit of a subscription
// carries the anthropic-ratelimit-unified-* headers Claude Code turns into its rate_limit_event.
import * as path from 'node:path';
import type { Fault, Turn, TurnUsage } from './scenarios.js';
import { callId, isObj, newId, sendJson, sse, startSse, turnFromCallIds, type Dialect, type Exchange, type MainCall } from './http.js';

function toolNames(body: Record<string, unknown>): string[] {
  return Array.isArray(body.tools) ? body.tools.map((t) => (isObj(t) ? String(t.name) : '')).filter(Boolean) : [];
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function blocks(x: Exchange, call: MainCall, turn: Turn, tools: string[]): Block[] {
  const out: Block[] = [];
  let j = 0;
  const tool = (name: string, input: Record<string, unknown>) => {
    if (!tools.includes(name)) x.note(`the script calls ${name}, which the request does not offer`);
    out.push({ type: 'tool_use', id: callId('toolu', call.turn, j++), name, input });
  };
  // Claude Code offers Write and Bash; opencode (its anthropic provider) offers write {filePath} and bash
  const lower = !tools.includes('Write') && tools.includes('write');
  for (const a of turn.actions) {
    if (a.kind === 'text') out.push({ type: 'text', text: a.text });
    else if (a.kind === 'write' && lower) tool('write', { filePath: path.join(x.workDir, a.path), content: a.content });
    else if (a.kind === 'write') tool('Write', { file_path: path.join(x.workDir, a.path), content: a.content });
    else tool(lower ? 'bash' : 'Bash', { command: a.command, description: 'Run a shell command' });
  }
  return out;
}

function usageFields(u: TurnUsage): Record<string, number> {
  return { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead };
}

function errorBody(type: string, message: string, requestId: string): unknown {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

export const anthropic: Dialect = {
  name: 'anthropic',
  claims(method, p) {
    return p.startsWith('/v1/messages') || (method === 'HEAD' && p === '/');
  },
  mainCall(x) {
    if (x.req.method !== 'POST' || x.url.pathname !== '/v1/messages' || !isObj(x.body)) return null;
    // the agent loop offers tools; titles, quota checks and other side calls do not
    if (toolNames(x.body).length === 0) return null;
    return { turn: turnFromCallIds(JSON.stringify(x.body.messages ?? []), 'toolu'), model: String(x.body.model ?? '') };
  },
  answer(x, call, turn) {
    const body = x.body as Record<string, unknown>;
    const content = blocks(x, call, turn, toolNames(body));
    const stop = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
    const id = newId('msg');
    const headers = { 'request-id': newId('req') };
    if (body.stream !== true) {
      sendJson(
        x.res,
        200,
        { id, type: 'message', role: 'assistant', model: call.model, content, stop_reason: stop, stop_sequence: null, usage: { ...usageFields(turn.usage), output_tokens: turn.usage.output } },
        headers,
      );
      return turn.usage;
    }
    const res = x.res;
    startSse(res, headers);
    sse(res, 'message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model: call.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usageFields(turn.usage), output_tokens: 1 } },
    });
    sse(res, 'ping', { type: 'ping' });
    content.forEach((b, index) => {
      if (b.type === 'text') {
        sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
      } else {
        sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } });
      }
      sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    });
    sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { ...usageFields(turn.usage), output_tokens: turn.usage.output } });
    sse(res, 'message_stop', { type: 'message_stop' });
    res.end();
    return turn.usage;
  },
  fault(x, call, fault, now) {
    const requestId = newId('req');
    const h = { 'request-id': requestId };
    switch (fault.kind) {
      case 'usage_limit': {
        const reset = String(fault.resetAt);
        // what the API sends a subscriber whose five-hour window is used up (Claude Code reads these in
        // its rate-limit state, then prints "You've hit your session limit · resets …")
        sendJson(x.res, 429, errorBody('rate_limit_error', "This request would exceed your account's rate limit. Please try again later.", requestId), {
          ...h,
          'x-should-retry': 'false',
          'anthropic-ratelimit-unified-status': 'rejected',
          'anthropic-ratelimit-unified-reset': reset,
          'anthropic-ratelimit-unified-representative-claim': 'five_hour',
          'anthropic-ratelimit-unified-fallback': 'unavailable',
          'anthropic-ratelimit-unified-5h-status': 'rejected',
          'anthropic-ratelimit-unified-5h-utilization': '1.0',
          'anthropic-ratelimit-unified-5h-reset': reset,
          'anthropic-ratelimit-unified-7d-status': 'allowed',
          'anthropic-ratelimit-unified-7d-utilization': '0.41',
          'anthropic-ratelimit-unified-7d-reset': String(fault.resetAt + 3 * 86400),
          'anthropic-ratelimit-unified-overage-status': 'rejected',
          'anthropic-ratelimit-unified-overage-disabled-reason': 'org_level_disabled',
        });
        return;
      }
      case 'rate_limit':
        sendJson(
          x.res,
          429,
          errorBody('rate_limit_error', `This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`, requestId),
          { ...h, 'retry-after': String(fault.retryAfterS), 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': new Date(now + fault.retryAfterS * 1000).toISOString() },
        );
        return;
      case 'auth':
        sendJson(x.res, 401, errorBody('authentication_error', 'Invalid bearer token', requestId), h);
        return;
      case 'quota':
        sendJson(x.res, 400, errorBody('invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.', requestId), h);
        return;
      case 'overloaded':
        sendJson(x.res, 529, errorBody('overloaded_error', 'Overloaded', requestId), h);
        return;
      case 'model_not_found':
        sendJson(x.res, 404, errorBody('not_found_error', `model: ${call.model}`, requestId), h);
        return;
      case 'hang_before_first_byte':
        return;
      case 'hang_mid_stream':
        startSse(x.res, h);
        sse(x.res, 'message_start', {
          type: 'message_start',
          message: { id: newId('msg'), type: 'message', role: 'assistant', model: call.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } },
        });
        sse(x.res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
        sse(x.res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me look' } });
        return;
    }
  },
  other(x) {
    if (x.req.method === 'HEAD') {
      x.res.writeHead(200).end();
      return true;
    }
    if (x.url.pathname === '/v1/messages/count_tokens') {
      sendJson(x.res, 200, { input_tokens: Math.ceil(JSON.stringify(x.body ?? '').length / 4) });
      return true;
    }
    if (x.url.pathname === '/v1/messages' && isObj(x.body)) {
      // a side call (no tools): a short answer with no usage of note
      const u: TurnUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
      anthropic.answer(x, { turn: 0, model: String(x.body.model ?? '') }, { actions: [{ kind: 'text', text: 'ok' }], usage: u });
      return true;
    }
    return false;
  },
};
