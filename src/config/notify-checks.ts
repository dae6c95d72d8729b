// [[notify]] across its keys: what each kind needs (a URL, a command), what it may not have. One line each.
import type { NotifyChannelConfig } from './types.js';
import type { Validator } from './validate.js';

export function checkNotifyChannels(v: Validator, channels: readonly NotifyChannelConfig[]): void {
  const names = new Set<string>();
  channels.forEach((c, i) => {
    const where = `notify[${i + 1}]`;
    if (c.secret !== undefined && c.secret_env !== undefined) {
      v.fail(`\`${where}.secret\` and \`${where}.secret_env\` are both set; keep one (secret_env keeps the key out of the file)`);
    }
    if (c.kind === 'command') {
      if (!c.command) v.fail(`\`${where}.command\` is missing; a command channel needs the program to run, e.g. command = ["/usr/local/bin/notify-me"]`);
      if (c.url !== undefined) v.fail(`\`${where}.url\` is set on a command channel; remove it, or set kind = "webhook"`);
    } else {
      if (c.url === undefined) v.fail(`\`${where}.url\` is missing; a ${c.kind} channel needs the URL to POST to, e.g. url = "https://ntfy.sh/my-topic"`);
      if (!/^https?:\/\/[^\s/]+/i.test(c.url)) v.fail(`\`${where}.url\` must be an http:// or https:// URL; write it as url = "https://host/path"`);
      if (c.command !== undefined) v.fail(`\`${where}.command\` is set on a ${c.kind} channel; remove it, or set kind = "command"`);
    }
    if ((c.secret !== undefined || c.secret_env !== undefined) && c.kind !== 'webhook') {
      v.fail(`\`${where}\` has a secret, which only a webhook uses (to sign its body); remove it`);
    }
    const name = c.name ?? `${c.kind}#${i + 1}`;
    if (names.has(name)) v.fail(`\`${where}.name\` "${name}" is already the name of an earlier channel; give each [[notify]] a unique name`);
    names.add(name);
  });
}
