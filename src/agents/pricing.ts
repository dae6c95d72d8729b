// A round's cost from its tokens and the [pricing] table, for CLIs that report tokens but no cost. Pure.

export interface Pricing {
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  cached_usd_per_mtok: number;
}

/** A cost from tokens and a price table; null when no price is set (all zero). Cached tokens are billed apart. */
export function costFromTokens(
  t: { input_tokens: number; output_tokens: number; cached_tokens: number },
  p: Pricing | undefined,
): number | null {
  if (!p || (p.input_usd_per_mtok === 0 && p.output_usd_per_mtok === 0 && p.cached_usd_per_mtok === 0)) return null;
  const usd = (t.input_tokens * p.input_usd_per_mtok + t.output_tokens * p.output_usd_per_mtok + t.cached_tokens * p.cached_usd_per_mtok) / 1e6;
  return Math.round(usd * 1e6) / 1e6;
}
