// The shipped price table: what a round costs when the CLI reports tokens only (Codex, Gemini CLI) and
// [pricing] / [[model_price]] set nothing for its model. Data only, one entry per vendor with where and
// when its prices were read, so a cost from here can say so (usage.cost_source "table:<vendor> <read>").
// Only prices read on the vendor's own page are here; a model whose price was not found there is left out
// (its rounds record no cost), rather than guessed.

/** US dollars per million tokens. */
export interface ModelPrice {
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  cached_usd_per_mtok: number;
}

export interface VendorPrices {
  vendor: string;
  /** the vendor's own page the prices were read on (`<model>`: each model's page) */
  source: string;
  /** the date the prices were read there (a page that states a date of its own would say so in `source`) */
  read: string;
  models: Readonly<Record<string, ModelPrice>>;
}

export const SHIPPED_PRICES: readonly VendorPrices[] = [
  {
    vendor: 'openai',
    // each model's own page states "Text tokens, Per 1M tokens: Input, Cached input, Output" (standard tier)
    source: 'https://developers.openai.com/api/docs/models/<model>',
    // read on 2026-12-06 from stored copies of the pages, which state no date of their own
    read: '2026-12-06',
    models: {
      'gpt-5-codex': { input_usd_per_mtok: 1.25, output_usd_per_mtok: 10, cached_usd_per_mtok: 0.125 },
      'gpt-5.1': { input_usd_per_mtok: 1.25, output_usd_per_mtok: 10, cached_usd_per_mtok: 0.125 },
      'gpt-5-mini': { input_usd_per_mtok: 0.25, output_usd_per_mtok: 2, cached_usd_per_mtok: 0.025 },
      'gpt-5-nano': { input_usd_per_mtok: 0.05, output_usd_per_mtok: 0.4, cached_usd_per_mtok: 0.005 },
    },
  },
];

/** A dated version of an id: `gpt-5-2025-08-07` of `gpt-5`, `x-0513` of `x`; never `gpt-5-mini` of `gpt-5`. */
const DATED_SUFFIX = /^-\d[\d-]*$/;

/**
 * The entry for a model: the one named exactly, else the longest one the model is a dated version of; null
 * when none. Case-insensitive, as providers spell ids in lowercase but users do not always.
 */
export function matchModel<T>(model: string, entries: readonly T[], idOf: (e: T) => string): T | null {
  const m = model.toLowerCase();
  let best: T | null = null;
  let bestLen = -1;
  for (const e of entries) {
    const id = idOf(e).toLowerCase();
    if (id === m) return e;
    if (id.length > bestLen && m.startsWith(id) && DATED_SUFFIX.test(m.slice(id.length))) {
      best = e;
      bestLen = id.length;
    }
  }
  return best;
}

/** The shipped price of a model and where it comes from, or null when the table has none. */
export function shippedPrice(model: string): { price: ModelPrice; source: string } | null {
  const rows = SHIPPED_PRICES.flatMap((v) => Object.entries(v.models).map(([id, price]) => ({ id, price, v })));
  const hit = matchModel(model, rows, (r) => r.id);
  return hit ? { price: hit.price, source: `table:${hit.v.vendor} ${hit.v.read}` } : null;
}
