// [completion]: a command that says the work is done (src/serve/completion.ts runs it after each round).
import { section, SECONDS_MAX_DAY } from './spec.js';

export const COMPLETION = section({
  name: 'completion',
  kind: 'table',
  doc: "A command that says when the work is done. serve runs it after each round that ran, in the work tree (with /bin/sh -c, its tree swept like a hook's, its output appended to the round's log). When it exits 0 (and, with require_sentinel, the agent's DONE file exists too), serve ends: reason `completed: …`, exit 0, a `completed` event and notification. The DONE sentinel alone still ends serve as before, unless require_sentinel makes the command its judge.",
  keys: [
    {
      key: 'command',
      type: { kind: 'string' },
      defaultText: 'none',
      example: 'npm test',
      doc: 'The check, e.g. the test suite. Exit 0 means done; anything else (or its timeout) means not yet, and the loop goes on.',
    },
    {
      key: 'timeout_s',
      type: { kind: 'number', min: 1, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 600,
      doc: 'Seconds the command may run; past them its tree gets TERM, then KILL, and it counts as not done.',
    },
    {
      key: 'require_sentinel',
      type: { kind: 'boolean' },
      default: false,
      doc: "Done only when the agent also wrote its DONE file: the command then runs only after rounds that left one, and when it fails the DONE file is removed (a `completion_refused` event) and the loop goes on, so an agent's claim is checked before serve ends.",
    },
  ],
});
