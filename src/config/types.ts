// The validated config: what config/load.ts returns and every layer above reads. Its sections are read
// off the schema (schema.ts → ConfigValues): a key added to a section file under schema/ is in Config with
// no edit here. What is written out below is only what load derives, and is not a config key as written.
import type { ConfigValues } from './schema.js';
import type { Simplify } from './schema/values.js';
import type { ActiveRange } from './schedule.js';

/** Makes some keys optional: hand-built configs (tests) may leave them out; load always sets them. */
type Lenient<T, K extends keyof T> = Simplify<Omit<T, K> & Partial<Pick<T, K>>>;

/** [vcs] dirty_action: the values its enum allows. */
export type DirtyAction = ConfigValues['vcs']['dirty_action'];

/** [monitor]: see src/config/schema/monitor.ts for what each key means. */
export type MonitorConfig = ConfigValues['monitor'];

/** [budget]: see src/config/schema/budget.ts. */
export type BudgetConfig = ConfigValues['budget'];
/** [hooks]: see src/config/schema/hooks.ts. */
export type HooksConfig = ConfigValues['hooks'];

/** One [[phases]] table. */
export type PhaseConfig = Simplify<
  Omit<ConfigValues['phases'][number], 'prompt_file' | 'prompt_files'> & {
    /** derived by load: prompt_file or prompt_files, as absolute paths */
    prompt_files?: string[];
  }
>;

/** One [providers.NAME] table, with its NAME (see src/config/schema/providers.ts). */
export type ProviderConfig = Simplify<
  ConfigValues['providers'][string] & {
    name: string;
    /** the keys load took from the user's secrets file (secrets-file.ts), not from the project's config */
    fromSecrets?: ('api_key' | 'base_url')[];
  }
>;

/** Derived by load: the fields that are not config keys, and the keys load turns into something else. */
interface DerivedByLoad {
  /** absolute path of the config file it was loaded from */
  configPath: string;
  /** runtime.work_dir resolved: the project's work tree, where the agent runs (absolute, real path) */
  workDir: string;
  /** a short human name for the project (the work dir's base name) */
  project: string;
  runtime: Lenient<Omit<ConfigValues['runtime'], 'work_dir' | 'state_dir'>, 'min_free_mb' | 'containment'> & {
    /** runtime.state_dir resolved, or its computed default (absolute) */
    state_dir: string;
  };
  prompt: Omit<ConfigValues['prompt'], 'file' | 'files'> & {
    /** prompt.file or prompt.files (or the default file) as absolute paths, in order */
    files: string[];
  };
  phases: PhaseConfig[];
  serve: Lenient<ConfigValues['serve'], 'stop_on_auth' | 'model_check' | 'no_progress_rounds' | 'on_no_progress' | 'no_progress_pause_s' | 'same_error_rounds'>;
  /** optional so hand-built configs need not name it; load always sets it, every key filled in */
  monitor?: MonitorConfig;
  /** optional for hand-built configs, as monitor; load always sets it (no limit key: no limit) */
  budget?: BudgetConfig;
  /** [schedule] read by load: the active ranges (empty: any time) and the zone; optional for hand-built configs */
  schedule?: { active: ActiveRange[]; timezone: string };
  /** [hooks]: optional so hand-built configs need not name it; load always sets it */
  hooks?: HooksConfig;
  /** [completion]: optional for hand-built configs, as hooks; load always sets it */
  completion?: ConfigValues['completion'];
  /** [providers.NAME] by NAME, each with its name filled in ({} when there is none) */
  providers: Record<string, ProviderConfig>;
  /** [[model_price]]: optional for hand-built configs; load always sets it ([] when none) */
  model_price?: ConfigValues['model_price'];
}

export type Config = Simplify<Omit<ConfigValues, keyof DerivedByLoad> & DerivedByLoad>;

/** One [[notify]] channel. */
export type NotifyChannelConfig = ConfigValues['notify'][number];
