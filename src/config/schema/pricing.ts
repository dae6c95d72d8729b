// [pricing]: token prices, for a round's cost when the agent does not report one.
import { section } from './spec.js';

export const PRICING = section({
  name: 'pricing',
  kind: 'table',
  doc: "Optional token prices, for a round's cost when the agent does not report one (Codex reports tokens only; Claude Code reports its own cost). All 0: no cost is computed.",
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
