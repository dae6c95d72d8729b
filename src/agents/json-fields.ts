// Reading untyped JSON from agent CLIs: small guards shared by the end-of-round reader (agent-lines.ts)
// and the live stream parser (stream-parser.ts).
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A generic `error` field: a string, or {type, message, code|status}. */
export function errorText(e: unknown): string | null {
  if (typeof e === 'string') return e;
  if (!isObj(e)) return null;
  const parts = [num(e.code) ?? num(e.status) ?? str(e.code) ?? str(e.status), str(e.type), str(e.message)].filter(
    (x) => x !== null && x !== '',
  );
  return parts.length ? parts.join(' ') : null;
}

/** `{ data: [{ id }], has_more? }`: the model list of the Anthropic and OpenAI APIs (and OpenAI-compatible gateways). */
export function readDataIds(body: unknown): { ids: string[]; complete: boolean } | null {
  const b = body as { data?: unknown; has_more?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.data)) return null;
  const ids = b.data.map((d) => (d && typeof d === 'object' ? (d as { id?: unknown }).id : null)).filter((id): id is string => typeof id === 'string');
  return { ids, complete: b.has_more !== true };
}
