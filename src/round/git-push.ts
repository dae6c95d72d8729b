// The push of a state dir's private round refs to [vcs] backup_remote: so a round's work survives the loss of
// the machine. Its own process group with a deadline (a remote that hangs, an ssh that waits, a credential
// helper), never a prompt, never a hook or a transport the agent could plant in .git/config.
import { spawn } from 'node:child_process';
import { GUARD_ARGS } from './git-guard.js';
import { REF_ROOT } from './git-refs.js';
import { redact } from '../util/redact.js';
import { firstNonBlankLine } from '../util/text.js';

export interface PushResult {
  ok: boolean;
  /** one line, credentials in a URL and secrets redacted; null when it worked */
  error: string | null;
}

/** Same text as for a person: a URL's user:password@ and anything the redaction rules know, removed. */
export function safeLine(text: string): string {
  return redact(text.replace(/(\/\/)[^/@\s]+@/g, '$1***@'));
}

/**
 * `git push --force <remote> +refs/agent-runner/<id>/*:…` (every round ref of this state dir; a ref the remote
 * has that was pruned here stays there). Ends the push's whole process group at the deadline.
 */
export function pushRoundRefs(dir: string, remote: string, id: string, timeoutMs: number): Promise<PushResult> {
  const spec = `+${REF_ROOT}/${id}/*:${REF_ROOT}/${id}/*`;
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR']) delete env[k];
  // never a password prompt from ssh: no one is there to answer it (an operator's own GIT_SSH_COMMAND stays)
  env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes';
  // `ext::` runs a command the remote URL names, and the agent can write the URL: never. A named remote's
  // receivepack is a command too (run here for a path remote), and the first value git reads wins over any
  // `-c`: the option names git's own instead, whatever .git/config says
  const args = [...GUARD_ARGS, '-c', 'protocol.ext.allow=never', 'push', '--quiet', '--no-verify', '--porcelain', '--receive-pack=git-receive-pack', '--', remote, spec];
  return new Promise((resolve) => {
    let err = '';
    let settled = false;
    const done = (r: PushResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn('git', args, { cwd: dir, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 16_384) err += d.toString('utf8');
    });
    // at the deadline the group goes (git, its ssh or remote helper), and the result does not wait for a pipe
    // that a process which left the group may still hold
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone already */
      }
      done({ ok: false, error: `git push to ${safeLine(remote)} timed out after ${timeoutMs / 1000}s` });
    }, timeoutMs);
    child.on('error', (e) => done({ ok: false, error: safeLine(`git push: ${e.message}`) }));
    child.on('close', (code) => {
      if (code === 0) return done({ ok: true, error: null });
      done({ ok: false, error: safeLine(`git push to ${remote}: ${firstNonBlankLine(err) || `exit ${code}`}`) });
    });
  });
}
