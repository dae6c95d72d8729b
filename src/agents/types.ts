// The one interface every agent CLI's adapter implements (src/agents/<cli>.ts), and the shapes it hands the
// shared machinery. Generic code asks the registry (registry.ts) for an adapter; it never names a CLI.
import type { Category } from '../state/types.js';
import type { Obj } from './json-fields.js';
import type { AgentEvent, AgentEventType, StreamFormat, StreamStats } from './events.js';
import type { AgentLines } from './agent-lines.js';
import type { PromptPassing } from './prompt-passing.js';
import type { SessionSupport } from './session.js';
import type { ModelSetting } from './model-source.js';
import type { ResolvedProvider } from '../config/providers.js';

/** What `agent-runner init --preset NAME` writes: the flags that make the CLI run headless, one task per round. */
export interface Preset {
  name: string;
  description: string;
  command: string[];
  env: Record<string, string>;
  /** why each flag is there; they go into the config as comments */
  notes: string[];
  /**
   * What shows that the preset works: the test that drives the real CLI through the scripted model server, or why
   * none does. Missing: unverified, no test named. `init --list-presets` shows it; no preset claims more than a test shows.
   */
  proof?: { verified: true; test: string } | { verified: false; why: string };
}

/** A text pattern the classifier falls back on once the structured facts said nothing (patterns.ts). */
export interface OutputPattern {
  name: string;
  category: Category;
  re: RegExp;
  /** a line this pattern must match (tests run every example through classify) */
  example: string;
  /** a reader for the reset time tried before the generic ones */
  reset?: (text: string, now: Date) => Date | null;
}

/**
 * A reader of "when may the agent usefully run again" in the agent's words. The merged list is ordered by
 * precision (an instant, then a wall-clock time, then a relative wait), each CLI's own before the shared ones.
 */
export interface ResetReader {
  name: string;
  precision: 'instant' | 'clock' | 'relative';
  /** null when it cannot read a time: a wrong wait is worse than the policy's default back-off */
  read(text: string, now: Date): Date | null;
}

/** What a CLI's live reader may touch while the round runs: the tally, and the facts the round acts on. */
export interface StreamContext {
  readonly stats: StreamStats;
  /** work happened: a rejected rate limit before it no longer holds */
  progress(): void;
  /** the CLI's final result; keyLine: its compact form, kept for the verdict (null: nothing to keep) */
  result(isError: boolean, keyLine: string | null): void;
  /** a rejected rate limit; keyLine: its compact form, kept for the verdict */
  rateLimitRejected(resetsAt: string | null, keyLine: string): void;
  /** tool calls the CLI's permission settings refused this round (denials.ts's short form), the full list so far */
  denied(calls: string[]): void;
}

/** One JSON line of the CLI's stream → its event (made by `ev`, which stamps the stream, format and raw line). */
export type LiveReader = (v: Obj, type: string, ev: (t: AgentEventType) => AgentEvent) => AgentEvent;

/** The JSON lines a CLI prints, recognised by their `type` field (and, where types collide, by `claims`). */
export interface StreamShape {
  /** the format name on its events and on the round's usage */
  format: StreamFormat;
  /**
   * the `type` values its lines carry. Two CLIs may share one (Claude's and Gemini's `result`): the registry's
   * ShapePicker then reads the line as the stream's own CLI's, or asks `claims`.
   */
  types: ReadonlySet<string>;
  /**
   * Whether a line of a type other CLIs print too is this CLI's, by its other fields. Asked only of a line
   * whose stream has not yet said whose it is; a shape sharing a type with an earlier adapter must have it.
   */
  claims?(v: Obj, type: string): boolean;
  /** a failed API call the CLI will retry, reported only in a plain (not JSON) line: its error words; null: none */
  retryInText?(line: string): string | null;
  /** a refused tool call that the CLI reports only in a plain (not JSON) line, in denials.ts's short form; null: none */
  deniedInText?(line: string): string | null;
  /** a reader for one round's stream; it may keep state across lines */
  live(ctx: StreamContext): LiveReader;
  /** the end-of-round reader: what one line of the log's tail says, into the facts the verdict reads */
  tail(v: Obj, type: string, out: AgentLines, progress: () => void): void;
}

/** A flag the CLI refuses as root, and the variable that lets it run anyway. */
export interface RootRefusal {
  flag: string;
  unlessEnv: [string, string];
}

/** How to read the CLI's version: run its program with `args`, hand its stdout to `parse`. */
export interface VersionProbe {
  args: readonly string[];
  /** the version, or null when the output names none */
  parse(stdout: string): string | null;
}

/** `<cli> --version` printing the bare version alone (`1.18.33`, `v0.61.0`): Gemini CLI and its forks, opencode and its. */
export const BARE_VERSION: VersionProbe = {
  args: ['--version'],
  parse: (out) => /^\s*v?(\d+\.\d+\.\d+[\w.+-]*)\s*$/m.exec(out)?.[1] ?? null,
};

/** What a CLI gets to run on a provider: variables to set, variables to drop (the operator's own), files to write. */
export interface ProviderLaunch {
  env: Record<string, string>;
  /** inherited variables that would contradict the provider's (another account's key) */
  unset: string[];
  /** written (mode 0600) before each round; never a secret: keys go in env */
  files: { path: string; content: string }[];
}

/** How a CLI is pointed at a [providers.NAME] (docs/providers.md). */
export interface ProviderSupport {
  /** the provider kinds the CLI can speak */
  kinds: readonly ResolvedProvider['kind'][];
  /** why it cannot speak the others (said when a config pairs them) */
  why: string;
  /**
   * home: this provider's own dir for this CLI under the state dir, for a CLI that keeps state; it exists.
   * userHome: the agent's HOME, for a CLI whose settings are carried into that dir (Gemini CLI)
   */
  launch(p: ResolvedProvider, home: string, userHome: string): ProviderLaunch;
}

export interface AgentAdapter {
  /** the CLI's short name (what `agentCli` returns) */
  name: string;
  /** how messages name it */
  title: string;
  /** the program's base name (argv[0], or a word behind a launcher), without @version and -cli; null: never by name */
  binary: RegExp | null;
  /** its `init` preset */
  preset: Preset;
  /** how the preset hands it the prompt: on stdin, or as an argument ({prompt}) */
  prompt: PromptPassing;
  /** its JSON stream; null when it prints plain text (then every line is a `text` event) */
  stream: StreamShape | null;
  /** its own failure wordings, tried before the shared table's within each category */
  patterns: readonly OutputPattern[];
  /** its own reset-time formats */
  resets: readonly ResetReader[];
  /** what fixes a failed login: serve's auth stop names it */
  authHint: string;
  /** started this way as root, every round is a sure crash: the preflight refuses it first */
  rootRefusals: readonly RootRefusal[];
  version: VersionProbe;
  /** how it resumes its own conversation ([agent] continue_session); absent: it cannot, every round is fresh */
  session?: SessionSupport;
  /** how it is told its model: what serve's model_not_found stop names as the place to change */
  model?: ModelSetting;
  /** how it is pointed at a [providers.NAME]; absent: it cannot be ([agent] providers is refused for it) */
  provider?: ProviderSupport;
}
