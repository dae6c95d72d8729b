// A round's cost, and where it came from, for CLIs that report tokens but no cost. Pure. The order: the
// CLI's own cost, then config ([[model_price]] for the round's model, then a non-zero flat [pricing]),
// then the shipped table (prices.ts) for the round's model, else none.
import type { Config } from '../config/types.js';
import { modelSetting } from './model-source.js';
import { matchModel, shippedPrice, type ModelPrice } from './prices.js';

export type Pricing = ModelPrice;

/** What prices a round: [pricing], [[model_price]], and the model the command names (Codex's stream names none). */
export interface PriceConfig {
  pricing?: Pricing;
  models?: readonly (Pricing & { model: string })[];
  /** the model `--model` or [agent.env] names, for a stream that reports none */
  commandModel?: string | null;
}

interface Tokens {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
}

/** "agent" | "config" | "table:<vendor> <read>", or null with no cost */
export type CostSource = string | null;

/** The PriceConfig of a loaded config: its tables, and the model its command or environment names. */
export function priceConfig(config: Config, env: NodeJS.ProcessEnv): PriceConfig {
  return {
    pricing: config.pricing,
    models: config.model_price,
    commandModel: modelSetting(config.agent.command, config.agent.env, env)?.model ?? null,
  };
}

function usd(t: Tokens, p: Pricing): number {
  const v = (t.input_tokens * p.input_usd_per_mtok + t.output_tokens * p.output_usd_per_mtok + t.cached_tokens * p.cached_usd_per_mtok) / 1e6;
  return Math.round(v * 1e6) / 1e6;
}

/** A cost from tokens and a flat price table; null when no price is set (all zero). Cached tokens are billed apart. */
export function costFromTokens(t: Tokens, p: Pricing | undefined): number | null {
  if (!p || (p.input_usd_per_mtok === 0 && p.output_usd_per_mtok === 0 && p.cached_usd_per_mtok === 0)) return null;
  return usd(t, p);
}

/** The round's cost and its source: the agent's own (`reported`) > config > the shipped table > none. */
export function priceRound(t: Tokens, reported: number | null, model: string | null, c: PriceConfig | undefined): { cost_usd: number | null; cost_source: CostSource } {
  if (reported !== null) return { cost_usd: reported, cost_source: 'agent' };
  const m = model ?? c?.commandModel ?? null;
  const own = m ? matchModel(m, c?.models ?? [], (e) => e.model) : null;
  if (own) return { cost_usd: usd(t, own), cost_source: 'config' };
  const flat = costFromTokens(t, c?.pricing);
  if (flat !== null) return { cost_usd: flat, cost_source: 'config' };
  const shipped = m ? shippedPrice(m) : null;
  if (shipped) return { cost_usd: usd(t, shipped.price), cost_source: shipped.source };
  return { cost_usd: null, cost_source: null };
}
