#!/usr/bin/env node
// CommonJS (bin/package.json), like the bundles it runs: a Node start without the ES module loader is a few
// milliseconds shorter (docs/performance.md). Which build runs is decided by presence, never by file times
// (which a copy, a checkout or a tarball reorders): the esbuild bundles (build/bundle/cli/, made by
// `./build.sh build` right after tsc) when they are there, else the tsc output. AGENT_RUNNER_ENTRY=src forces the
// tsc output, for a developer who re-ran only `tsc`; `./build.sh build` always remakes both.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'build', 'bundle', 'cli');
if (process.env.AGENT_RUNNER_ENTRY === 'src' || !(printVersion() || runVerb() || runBundle(path.join(dir, 'main.cjs')))) import('../build/src/cli/main.js');

/**
 * `--version` (or `-V`) alone: package.json's version, as the CLI prints it (src/cli/verb-run.ts), without loading
 * a bundle: main.cjs costs ~15 ms to load for one line. A reader that closed the pipe gets nothing, quietly.
 */
function printVersion() {
  const args = process.argv.slice(2);
  if (args.length !== 1 || (args[0] !== '--version' && args[0] !== '-V')) return false;
  const text = `${JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`;
  try {
    fs.writeSync(1, text);
  } catch (e) {
    if (e.code === 'EAGAIN') process.stdout.write(text); // a non-blocking pipe that is full: the stream waits
    else if (e.code !== 'EPIPE') throw e;
  }
  return true;
}

/**
 * `round`, `status`, `peek` and `probe` have a bundle each that holds only that verb's code (src/cli/verb-entry.ts):
 * its `run` takes the plain form of the verb and says false to any other (`round --phase x`, `status --help`),
 * which main.cjs then parses. false also when there is no such bundle. A plain `peek` first has peek-early.cjs
 * start its git status (src/cli/entry-peek-early.ts), handed to peek's `run`, and ended if that does not take it.
 */
function runVerb() {
  const verb = process.argv.slice(2).find((a) => a === 'round' || a === 'peek' || a === 'status' || a === 'probe');
  const early = verb === 'peek' ? runBundle(path.join(dir, 'peek-early.cjs'))?.start?.(process.argv.slice(2)) : undefined;
  const exports = verb ? runBundle(path.join(dir, `${verb}.cjs`)) : null;
  const taken = !!exports && typeof exports.run === 'function' && exports.run(early) === true;
  if (!taken) early?.abandon();
  return taken;
}

/**
 * Runs a bundle as require() would, compiled with the V8 code cache the build wrote beside it
 * (src/tools/bundle.ts): the file is not compiled again at every start. Its exports; null: no such bundle.
 */
function runBundle(file) {
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
  // module.constructor is Module: node:module itself is not loaded (it pulls in the ES module loader)
  const Module = module.constructor;
  const vm = require('node:vm');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: codeCache(`${file}.v8cache`, source) });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
}

/**
 * The cache if it was made for this build of the bundle and is whole (src/tools/code-cache.ts: the bundle's first
 * line, then V8's data twice over, handed to V8 only when both copies agree: V8 trusts a damaged one and crashes).
 */
function codeCache(file, source) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const nl = buf.indexOf(10);
  if (nl <= 0 || buf.toString('utf8', 0, nl + 1) !== source.slice(0, source.indexOf('\n') + 1)) return undefined;
  const half = (buf.length - nl - 1) / 2;
  const a = buf.subarray(nl + 1, nl + 1 + half);
  return Number.isInteger(half) && half > 0 && a.equals(buf.subarray(nl + 1 + half)) ? a : undefined;
}
