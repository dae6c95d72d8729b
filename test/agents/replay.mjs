#!/usr/bin/env node
// replay.mjs — fake agent: replays a file of output lines with real timing, then exits or hangs.
//   node replay.mjs FILE [then]
//   FILE: one output line per line, written to stdout as is, except
//     `#stderr TEXT`  TEXT goes to stderr
//     `#sleep MS`     pause MS milliseconds
//     `#exit N`       exit now with code N
//     FILE.<n> instead, when it exists, in round n (AGENT_RUNNER_ROUND): a different script per round
//   REPLAY_DELAY_MS (default 20): pause between two output lines
//   then (argv[3], default `exit:0`): `exit:N` exits with N after the last line; `hang` prints nothing more
//   and never exits (SIGTERM ends it); `hang-ignore-term` also ignores SIGTERM (only SIGKILL ends it).
import * as fs from 'node:fs';

const [file, then = 'exit:0'] = process.argv.slice(2);
const delay = Number(process.env.REPLAY_DELAY_MS ?? 20);
const perRound = `${file}.${process.env.AGENT_RUNNER_ROUND}`;
const lines = fs.readFileSync(fs.existsSync(perRound) ? perRound : file, 'utf8').split('\n');
if (lines.at(-1) === '') lines.pop();
process.stdin.on('error', () => {});
process.stdin.resume(); // read (and drop) the prompt so the supervisor's write never blocks

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const write = (stream, text) => new Promise((r) => (stream.write(text + '\n') ? r() : stream.once('drain', r)));

for (const line of lines) {
  if (line.startsWith('#sleep ')) {
    await sleep(Number(line.slice(7)));
    continue;
  }
  if (line.startsWith('#exit ')) process.exit(Number(line.slice(6)));
  if (line.startsWith('#stderr ')) await write(process.stderr, line.slice(8));
  else await write(process.stdout, line);
  if (delay > 0) await sleep(delay);
}

if (then.startsWith('exit:')) process.exit(Number(then.slice(5)));
if (then === 'hang-ignore-term') process.on('SIGTERM', () => {});
process.stdin.pause();
setInterval(() => {}, 1 << 30);
