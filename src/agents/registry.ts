// The agent CLIs agent-runner knows, in the order they are tried, and what generic code asks of them. Adding
// a CLI: one file beside this one (an AgentAdapter, types.ts) and one line in ADAPTERS. Generic code never
// names a CLI: it asks here.
import * as path from 'node:path';
import { aider } from './aider.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';
import { kilo } from './kilo.js';
import { generic } from './generic.js';
import { opencode } from './opencode.js';
import { qwen } from './qwen.js';
import { mergePatterns } from './patterns.js';
import { mergeResetReaders, validDate } from './resets.js';
import type { Obj } from './json-fields.js';
import type { AgentAdapter, OutputPattern, ResetReader, StreamShape } from './types.js';

/** Every adapter; `generic` last: it is found by no name, only as the fallback. */
export const ADAPTERS: readonly AgentAdapter[] = [claude, codex, aider, gemini, opencode, kilo, qwen, generic];
export const FALLBACK: AgentAdapter = generic;

function byName(arg: string): AgentAdapter | null {
  // npm package names too: @anthropic-ai/claude-code, @openai/codex, @google/gemini-cli
  const base = path.basename(arg).replace(/@[\d.]+$/, '').replace(/-cli$/, '');
  for (const a of ADAPTERS) if (a.binary?.test(base)) return a;
  return null;
}

/**
 * The adapter of the CLI a command runs: argv[0]'s base name, or, behind a launcher (npx, env, node, bash -c …),
 * the first argument that names one; failing that, the shape of its output stream. Null when none says so.
 */
export function detectAdapter(command: readonly string[], format: string | null = null): AgentAdapter | null {
  const first = command[0] ? byName(command[0]) : null;
  if (first) return first;
  for (const arg of command.slice(1)) {
    for (const word of arg.split(/\s+/)) {
      const hit = word && byName(word);
      if (hit) return hit;
    }
  }
  return ADAPTERS.find((a) => a.stream !== null && a.stream.format === format) ?? null;
}

/** detectAdapter, or the fallback. */
export function adapterFor(command: readonly string[], format: string | null = null): AgentAdapter {
  return detectAdapter(command, format) ?? FALLBACK;
}

/** Every `init --preset` name, in registry order; the first is the default. */
export const PRESET_NAMES: readonly string[] = ADAPTERS.map((a) => a.preset.name);

const SHAPES = new Map<string, StreamShape[]>();
for (const a of ADAPTERS) {
  // two CLIs may print one shape (kilo, opencode's fork): it is listed once
  for (const t of a.stream?.types ?? []) if (!SHAPES.get(t)?.includes(a.stream as StreamShape)) SHAPES.set(t, [...(SHAPES.get(t) ?? []), a.stream as StreamShape]);
}

/** The stream shapes whose lines carry this `type`, in registry order; empty for a type no adapter claims. */
export function shapesForType(type: string): readonly StreamShape[] {
  return SHAPES.get(type) ?? [];
}

/**
 * Which CLI's reader each JSON line of one stream goes to. Line types collide across CLIs (Claude's and
 * Gemini's `result`, Codex's and Gemini's `error`), so the stream is read as a whole:
 *   - a type one shape alone claims is that shape's, and the first such line locks the stream onto it
 *     (Claude starts on `system`, Codex on `thread.started`, Gemini on `init`);
 *   - a type several claim goes to the locked shape when it is one of them;
 *   - else (a tail that starts past the stream's first lines, a lone line) to the first whose `claims`
 *     recognises the line by its other fields, else to the first in registry order.
 * Both the live parser (stream-parser.ts) and the tail reader (agent-lines.ts) keep one per stream.
 */
export class ShapePicker {
  private locked: StreamShape | null = null;

  /** The shape that reads this line; null for a type no adapter claims. */
  pick(v: Obj, type: string): StreamShape | null {
    const shapes = shapesForType(type);
    if (shapes.length === 0) return null;
    if (shapes.length === 1) {
      this.locked ??= shapes[0];
      return shapes[0];
    }
    if (this.locked && shapes.includes(this.locked)) return this.locked;
    return shapes.find((s) => s.claims?.(v, type) === true) ?? shapes[0];
  }
}

/** The streams whose CLI reports some facts only in plain lines (StreamShape.deniedInText, retryInText). */
export const TEXT_FACT_SHAPES: readonly StreamShape[] = [...new Set(ADAPTERS.flatMap((a) => (a.stream?.deniedInText || a.stream?.retryInText ? [a.stream] : [])))];

/** The classifier's pattern table: each CLI's own and the shared ones, in priority order (patterns.ts). */
export const OUTPUT_PATTERNS: readonly OutputPattern[] = mergePatterns(ADAPTERS.map((a) => a.patterns));

/** Every reset reader, most exact first (resets.ts). */
export const RESET_READERS: readonly ResetReader[] = mergeResetReaders(ADAPTERS.map((a) => a.resets));

/** The first time a reader finds in the text; null when none does. */
export function extractResetTime(text: string, now: Date): Date | null {
  for (const r of RESET_READERS) {
    const t = validDate(r.read(text, now));
    if (t) return t;
  }
  return null;
}
