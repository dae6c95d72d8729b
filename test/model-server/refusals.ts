// What makes each real CLI refuse the scripted tool calls (issue 14, item 7): its own permission settings,
// as a user would write them. The refused calls are the work script's (scenarios.ts): the Write of NOTES.md
// and the shell command that commits it.
import { COMMIT_MESSAGE, WORK_FILE } from './scenarios.js';

/** The scripted commit as the CLIs' shell tools receive it. */
export const COMMIT_COMMAND = `git add ${WORK_FILE} && git commit -q -m '${COMMIT_MESSAGE}'`;

/** Codex: a rules file ($CODEX_HOME/rules/*.rules) that forbids `git commit`: exec refuses the command. */
export const CODEX_FORBID_COMMIT = { path: '.codex/rules/default.rules', content: 'prefix_rule(pattern = ["git", "commit"], decision = "forbidden")\n' };

/** Codex exec in its own default sandbox (read-only): every write is refused. */
export const CODEX_READ_ONLY_ARGS = ['exec', '--json', '--sandbox', 'read-only', '-'];

/** The codex preset's flags with a real writable root in place of {state_dir} (which only a round fills in): for direct runs. */
export const CODEX_FIXTURE_ARGS = ['exec', '--json', '--sandbox', 'workspace-write', '-c', 'sandbox_workspace_write.writable_roots=[".git"]', '-'];

/** Gemini CLI: a policy rule (~/.gemini/policies/*.toml) that denies `git commit` through its shell tool, --yolo or not. */
export const GEMINI_DENY_COMMIT = {
  path: '.gemini/policies/deny-commit.toml',
  content: '[[rule]]\ntoolName = "run_shell_command"\ncommandPrefix = "git commit"\ndecision = "deny"\npriority = 900\n',
};

/** The gemini preset without --yolo: headless, its tools that need approval are not offered (tool_not_registered). */
export const GEMINI_ASKING_ARGS = ['--skip-trust', '--output-format', 'stream-json', '--prompt', '{prompt}'];
