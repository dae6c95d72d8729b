// The OpenAI Responses API as Codex calls it through a custom model provider (`base_url = …/v1`,
// `wire_api = "responses"`): POST /v1/responses, streamed as typed server-sent events. Tool calls use the
// tools the request offers: apply_patch (a freeform custom tool, or a function) to write files, and
// exec_command (unified exec), shell_command or shell for commands. Errors have the API's shape
// ({"error":{"message","type","code"}}); the usage limit is Codex's `usage_limit_reached` with `resets_at`.
import type { Fault, Turn, TurnUsage } from './scenarios.js';
import { callId, isObj, newId, secondsUntil, sendJson, sse, startSse, turnFromCallIds, type Dialect, type Exchange, type MainCall } from './http.js';

interface Tool {
  type: string;
  name: string;
}

function tools(body: Record<string, unknown>): Tool[] {
  return Array.isArray(body.tools) ? body.tools.filter(isObj).map((t) => ({ type: String(t.type), name: String(t.name ?? '') })) : [];
}

function patchFor(p: string, content: string): string {
  const lines = content.replace(/\n$/, '').split('\n').map((l) => `+${l}`);
  return `*** Begin Patch\n*** Add File: ${p}\n${lines.join('\n')}\n*** End Patch\n`;
}

function shellCall(offered: Tool[], command: string, workDir: string): { name: string; args: Record<string, unknown> } | null {
  const has = (n: string) => offered.some((t) => t.name === n);
  if (has('exec_command')) return { name: 'exec_command', args: { cmd: command, workdir: workDir, yield_time_ms: 10000 } };
  if (has('shell_command')) return { name: 'shell_command', args: { command, workdir: workDir, timeout_ms: 30000 } };
  if (has('shell')) return { name: 'shell', args: { command: ['bash', '-lc', command], workdir: workDir, timeout_ms: 30000 } };
  return null;
}

function outputItems(x: Exchange, call: MainCall, turn: Turn): Record<string, unknown>[] {
  const offered = tools(x.body as Record<string, unknown>);
  const items: Record<string, unknown>[] = [];
  let j = 0;
  const fn = (name: string, args: Record<string, unknown>) =>
    items.push({ type: 'function_call', id: newId('fc'), status: 'completed', call_id: callId('call', call.turn, j++), name, arguments: JSON.stringify(args) });
  for (const a of turn.actions) {
    if (a.kind === 'text') {
      items.push({ type: 'message', id: newId('msg'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: a.text, annotations: [] }] });
    } else if (a.kind === 'write') {
      const patch = patchFor(a.path, a.content);
      const tool = offered.find((t) => t.name === 'apply_patch');
      if (tool?.type === 'custom') {
        items.push({ type: 'custom_tool_call', id: newId('ctc'), status: 'completed', call_id: callId('call', call.turn, j++), name: 'apply_patch', input: patch });
      } else if (tool) {
        fn('apply_patch', { input: patch });
      } else {
        x.note('the request offers no apply_patch tool: the file is written through the shell tool');
        const sh = shellCall(offered, `cat > ${a.path} <<'EOF'\n${a.content}EOF`, x.workDir);
        if (sh) fn(sh.name, sh.args);
      }
    } else {
      const sh = shellCall(offered, a.command, x.workDir);
      if (sh) fn(sh.name, sh.args);
      else x.note(`the request offers no shell tool for: ${a.command}`);
    }
  }
  return items;
}

/** The Responses API's usage: input_tokens includes the cached ones; cache writes are plain input. */
function usage(u: TurnUsage): Record<string, unknown> {
  const input = u.input + u.cacheWrite + u.cacheRead;
  return { input_tokens: input, input_tokens_details: { cached_tokens: u.cacheRead }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + u.output };
}

function error(message: string, type: string, code: string | null, extra: Record<string, unknown> = {}): unknown {
  return { error: { message, type, param: null, code, ...extra } };
}

export const openai: Dialect = {
  name: 'openai',
  claims(_m, p) {
    return p.startsWith('/v1/responses') || p.startsWith('/v1/chat/completions') || p.startsWith('/v1/models');
  },
  mainCall(x) {
    if (x.req.method !== 'POST' || x.url.pathname !== '/v1/responses' || !isObj(x.body)) return null;
    return { turn: turnFromCallIds(JSON.stringify(x.body.input ?? []), 'call'), model: String(x.body.model ?? '') };
  },
  answer(x, call, turn) {
    const res = x.res;
    const items = outputItems(x, call, turn);
    const base = { id: newId('resp'), object: 'response', created_at: Math.floor(Date.now() / 1000), model: call.model };
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) => sse(res, type, { type, sequence_number: seq++, ...data });
    startSse(res, { 'x-request-id': newId('req') });
    ev('response.created', { response: { ...base, status: 'in_progress', output: [] } });
    ev('response.in_progress', { response: { ...base, status: 'in_progress', output: [] } });
    items.forEach((item, output_index) => {
      ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', ...(item.type === 'message' ? { content: [] } : {}) } });
      if (item.type === 'message') {
        const text = (item.content as { text: string }[])[0].text;
        ev('response.content_part.added', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
        ev('response.output_text.delta', { item_id: item.id, output_index, content_index: 0, delta: text });
        ev('response.output_text.done', { item_id: item.id, output_index, content_index: 0, text });
        ev('response.content_part.done', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
      }
      ev('response.output_item.done', { output_index, item });
    });
    ev('response.completed', { response: { ...base, status: 'completed', output: items, usage: usage(turn.usage) } });
    res.end();
    return turn.usage;
  },
  fault(x, call, fault, now) {
    const h = { 'x-request-id': newId('req') };
    switch (fault.kind) {
      case 'usage_limit': {
        const inS = secondsUntil(fault.resetAt, now);
        sendJson(x.res, 429, error('The usage limit has been reached', 'usage_limit_reached', null, { plan_type: 'plus', resets_at: fault.resetAt, resets_in_seconds: inS }), {
          ...h,
          'x-codex-primary-used-percent': '100',
          'x-codex-primary-window-minutes': '300',
          'x-codex-primary-reset-at': String(fault.resetAt),
          'x-codex-primary-reset-after-seconds': String(inS),
          'x-codex-secondary-used-percent': '41',
          'x-codex-secondary-window-minutes': '10080',
        });
        return;
      }
      case 'rate_limit':
        sendJson(
          x.res,
          429,
          error(
            `Rate limit reached for ${call.model} in organization org-srv on tokens per min (TPM): Limit 30000, Used 30000, Requested 1200. Please try again in ${fault.retryAfterS}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'tokens',
            'rate_limit_exceeded',
          ),
          { ...h, 'retry-after': String(fault.retryAfterS), 'x-ratelimit-reset-tokens': `${fault.retryAfterS}s` },
        );
        return;
      case 'auth':
        sendJson(x.res, 401, error('Incorrect API key provided: sk-srv-t**test. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'), h);
        return;
      case 'quota':
        sendJson(
          x.res,
          429,
          error('You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'insufficient_quota', 'insufficient_quota'),
          h,
        );
        return;
      case 'overloaded':
        sendJson(x.res, 503, error('The server is overloaded or not ready yet.', 'server_error', null), h);
        return;
      case 'model_not_found':
        sendJson(x.res, 404, error(`The model \`${call.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'), h);
        return;
      case 'hang_before_first_byte':
        return;
      case 'hang_mid_stream': {
        startSse(x.res, h);
        const base = { id: newId('resp'), object: 'response', created_at: Math.floor(now / 1000), model: call.model, status: 'in_progress', output: [] };
        sse(x.res, 'response.created', { type: 'response.created', sequence_number: 0, response: base });
        const item = { type: 'message', id: newId('msg'), role: 'assistant', status: 'in_progress', content: [] };
        sse(x.res, 'response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item });
        sse(x.res, 'response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 2, item_id: item.id, output_index: 0, content_index: 0, delta: 'Let me look' });
        return;
      }
    }
  },
  other(x) {
    if (x.url.pathname.startsWith('/v1/models')) {
      sendJson(x.res, 200, { object: 'list', data: [] });
      return true;
    }
    return false;
  },
};
