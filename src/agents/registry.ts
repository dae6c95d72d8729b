// The agent CLIs agent-runner knows, in the order they are tried, and what generic code asks of them. Adding
// a CLI: one file beside this one (an AgentAdapter, types.ts) and one line in ADAPTERS. Generic code never
// names a CLI: it asks here.
import * as path from 'node:path';
import { aider } from './aider.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';
import { generic } from './generic.js';
import { mergePatterns } from './patterns.js';
import { mergeResetReaders, validDate } from './resets.js';
import type { AgentAdapter, OutputPattern, ResetReader, StreamShape } from './types.js';

/** Every adapter; `generic` last: it is found by no name, only as the fallback. */
export const ADAPTERS: readonly AgentAdapter[] = [claude, codex, aider, gemini, generic];
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

const SHAPES = new Map<string, StreamShape>();
for (const a of ADAPTERS) for (const t of a.stream?.types ?? []) if (!SHAPES.has(t)) SHAPES.set(t, a.stream as StreamShape);

/** The stream shape whose lines carry this `type`; null for a line no adapter claims. */
export function shapeForType(type: string): StreamShape | null {
  return SHAPES.get(type) ?? null;
}

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
