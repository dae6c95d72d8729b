// [pricing] and [[model_price]]: token prices from config, for a round's cost when the agent does not report
// one. They come before the shipped table (agents/prices.ts); agents/pricing.ts applies them.
import { section } from './spec.js';


export const PRICING = section({
  name: 'pricing',
  kind: 'table',
  doc: "Optional token prices for every model, for a round's cost when the agent does not report one (Codex and Gemini CLI report tokens only; Claude Code and opencode report their own cost, which always wins). When any is above 0 they price every round with no cost of its own, before the shipped price table; a [[model_price]] for the round's model comes first. All 0: the shipped table prices the models it lists (docs/agents.md), other rounds record no cost.",
  keys: [
    {
      key: 'input_usd_per_mtok',
      type: { kind: 'number', min: 0, max: 10000, integer: false },
      default: 0,
      doc: 'US dollars per million input tokens not served from the cache.',
    },
    {
      key: 'output_usd_per_mtok',
      type: { kind: 'number', min: 0, max: 10000, integer: false },
      default: 0,
      doc: 'US dollars per million output tokens.',
    },
    {
      key: 'cached_usd_per_mtok',
      type: { kind: 'number', min: 0, max: 10000, integer: false },
      default: 0,
      doc: 'US dollars per million cached input tokens.',
    },
  ],
});

export const MODEL_PRICE = section({
  name: 'model_price',
  kind: 'array',
  doc: "Optional token prices for one model ([[model_price]], one table per model), for a round's cost when the agent does not report one. The round's model is the one its stream reports, else the one `--model` or [agent.env] names. It matches `model` exactly, or as a dated version of it (`gpt-5-2025-08-07` of `gpt-5`, never `gpt-5-mini`); the longest match wins. Comes before [pricing] and the shipped table.",
  keys: [
    {
      key: 'model',
      type: { kind: 'string' },
      required: true,
      example: 'gpt-5-codex',
      doc: 'The model id, as the provider names it.',
    },
    {
      key: 'input_usd_per_mtok',
      type: { kind: 'number', min: 0, max: 10000, integer: false },
      required: true,
      example: 1.25,
      doc: 'US dollars per million input tokens not served from the cache.',
    },
    {
      key: 'output_usd_per_mtok',
      type: { kind: 'number', min: 0, max: 10000, integer: false },
      required: true,
      example: 10,
      doc: 'US dollars per million output tokens.',
    },
    {
      key: 'cached_usd_per_mtok',
      type: { kind: 'number', min: 0, max: 10000, integer: false },
      default: 0,
      doc: 'US dollars per million cached input tokens.',
    },
  ],
});
