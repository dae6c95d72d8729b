// The Gemini API as Gemini CLI calls it (GOOGLE_GEMINI_BASE_URL): POST
// /v1beta/models/<model>:streamGenerateContent?alt=sse and :generateContent. Tool calls use Gemini CLI's
// tools: write_file {file_path, content}, run_shell_command {command, description, dir_path}. Side calls
// that ask for JSON (the model router's complexity score, the next-speaker check) get an answer that fits
// their schema. Errors have Google's shape ({"error":{"code","message","status","details"}}).
import * as path from 'node:path';
import type { Fault, Turn, TurnUsage } from './scenarios.js';
import { isObj, newId, secondsUntil, sendJson, sse, startSse, type Dialect, type Exchange, type MainCall } from './http.js';

function declared(body: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    if (!isObj(t) || !Array.isArray(t.functionDeclarations)) continue;
    for (const d of t.functionDeclarations) if (isObj(d)) names.push(String(d.name));
  }
  return names;
}

function modelOf(x: Exchange): string {
  const m = /\/models\/([^/:]+):/.exec(x.url.pathname);
  return m ? decodeURIComponent(m[1]) : '';
}

function isStream(x: Exchange): boolean {
  return x.url.pathname.endsWith(':streamGenerateContent');
}

/** Gemini counts cached tokens inside promptTokenCount; cache writes are plain input. */
function usageMetadata(u: TurnUsage): Record<string, unknown> {
  const prompt = u.input + u.cacheWrite + u.cacheRead;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: u.output,
    totalTokenCount: prompt + u.output,
    ...(u.cacheRead ? { cachedContentTokenCount: u.cacheRead } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
}

function parts(x: Exchange, turn: Turn): Record<string, unknown>[] {
  const offered = declared(x.body as Record<string, unknown>);
  const out: Record<string, unknown>[] = [];
  const call = (name: string, args: Record<string, unknown>) => {
    if (!offered.includes(name)) x.note(`the script calls ${name}, which the request does not offer`);
    out.push({ functionCall: { name, args } });
  };
  for (const a of turn.actions) {
    if (a.kind === 'text') out.push({ text: a.text });
    else if (a.kind === 'write') call('write_file', { file_path: path.join(x.workDir, a.path), content: a.content });
    else call('run_shell_command', { command: a.command, description: 'Run a shell command', dir_path: x.workDir });
  }
  return out;
}

/** A value that fits a (Gemini or JSON) schema: first enum value, required properties filled. */
export function fitSchema(schema: unknown): unknown {
  if (!isObj(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const type = String(schema.type ?? '').toLowerCase();
  if (type === 'object' || isObj(schema.properties)) {
    const props = isObj(schema.properties) ? schema.properties : {};
    const keys = Array.isArray(schema.required) ? schema.required.map(String) : Object.keys(props);
    return Object.fromEntries(keys.map((k) => [k, fitSchema(props[k])]));
  }
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return false;
  return 'scripted answer';
}

function respond(x: Exchange, model: string, content: Record<string, unknown>[], u: TurnUsage): void {
  const chunk = {
    candidates: [{ content: { role: 'model', parts: content }, finishReason: 'STOP', index: 0 }],
    usageMetadata: usageMetadata(u),
    modelVersion: model,
    responseId: newId('gr'),
  };
  if (!isStream(x)) {
    sendJson(x.res, 200, chunk);
    return;
  }
  startSse(x.res);
  sse(x.res, null, chunk);
  x.res.end();
}

function googleError(code: number, status: string, message: string, details: unknown[] = []): unknown {
  return { error: { code, message, status, ...(details.length ? { details } : {}) } };
}

function quotaFailure(quotaId: string, model: string, value: string): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
    violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId, quotaDimensions: { location: 'global', model }, quotaValue: value }],
  };
}

export const gemini: Dialect = {
  name: 'gemini',
  claims(_m, p) {
    return p.startsWith('/v1beta/') || p.startsWith('/v1/models') || p.startsWith('/v1alpha/');
  },
  mainCall(x) {
    if (x.req.method !== 'POST' || !/:(stream)?[gG]enerateContent$/.test(x.url.pathname) || !isObj(x.body)) return null;
    // the agent loop declares the tools; the router's and the checkers' JSON calls do not
    if (declared(x.body).length === 0) return null;
    const contents = Array.isArray(x.body.contents) ? x.body.contents : [];
    const turn = contents.filter((c) => isObj(c) && c.role === 'model' && Array.isArray(c.parts) && c.parts.some((p) => isObj(p) && p.functionCall)).length;
    return { turn, model: modelOf(x) };
  },
  answer(x, call, turn) {
    respond(x, call.model, parts(x, turn), turn.usage);
    return turn.usage;
  },
  fault(x, call, fault, now) {
    switch (fault.kind) {
      case 'usage_limit': {
        // the free tier's daily request quota, as the API words it
        const s = secondsUntil(fault.resetAt, now);
        sendJson(
          x.res,
          429,
          googleError(
            429,
            'RESOURCE_EXHAUSTED',
            `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 250, model: ${call.model}\nPlease retry in ${s}s.`,
            [
              quotaFailure('GenerateRequestsPerDayPerProjectPerModel-FreeTier', call.model, '250'),
              { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
              { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${s}s` },
            ],
          ),
        );
        return;
      }
      case 'rate_limit':
        sendJson(
          x.res,
          429,
          googleError(429, 'RESOURCE_EXHAUSTED', `Resource has been exhausted (e.g. check quota).`, [
            quotaFailure('GenerateRequestsPerMinutePerProjectPerModel', call.model, '60'),
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${fault.retryAfterS}s` },
          ]),
          { 'retry-after': String(fault.retryAfterS) },
        );
        return;
      case 'auth':
        // a bad API key is a 400 with reason API_KEY_INVALID (a bad OAuth token would be 401 UNAUTHENTICATED)
        sendJson(
          x.res,
          400,
          googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          ]),
        );
        return;
      case 'quota':
        // a project with no quota for the model (billing not enabled): "limit: 0"
        sendJson(
          x.res,
          429,
          googleError(
            429,
            'RESOURCE_EXHAUSTED',
            `You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_input_token_count, limit: 0, model: ${call.model}`,
            [quotaFailure('GenerateContentInputTokensPerModelPerMinute-FreeTier', call.model, '0')],
          ),
        );
        return;
      case 'overloaded':
        sendJson(x.res, 503, googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'));
        return;
      case 'model_not_found':
        sendJson(
          x.res,
          404,
          googleError(404, 'NOT_FOUND', `models/${call.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`),
        );
        return;
      case 'hang_before_first_byte':
        return;
      case 'hang_mid_stream':
        startSse(x.res);
        sse(x.res, null, { candidates: [{ content: { role: 'model', parts: [{ text: 'Let me look' }] }, index: 0 }], modelVersion: call.model, responseId: newId('gr') });
        return;
    }
  },
  other(x) {
    if (x.req.method !== 'POST' || !isObj(x.body) || !/:(stream)?[gG]enerateContent$/.test(x.url.pathname)) return false;
    const gc = isObj(x.body.generationConfig) ? x.body.generationConfig : {};
    const schema = gc.responseJsonSchema ?? gc.responseSchema;
    const text = schema ? JSON.stringify(fitSchema(schema)) : 'ok';
    respond(x, modelOf(x), [{ text }], { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    return true;
  },
};
