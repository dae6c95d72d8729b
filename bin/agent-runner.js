#!/usr/bin/env node
// CommonJS (bin/package.json), like the bundle it runs: a Node start without the ES module loader is a few
// milliseconds shorter (docs/performance.md). Which build runs is decided by presence, never by file times
// (which a copy, a checkout or a tarball reorders): the esbuild bundle (build/bundle/cli/main.cjs, made by
// `./build.sh build` right after tsc) when it is there, else the tsc output. AGENT_RUNNER_ENTRY=src forces the
// tsc output, for a developer who re-ran only `tsc`; `./build.sh build` always remakes both.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'build', 'bundle', 'cli', 'main.cjs');
if (process.env.AGENT_RUNNER_ENTRY === 'src' || !runBundle(bundle)) import('../build/src/cli/main.js');

/**
 * Runs the bundle as require() would, compiled with the V8 code cache the build wrote beside it
 * (src/tools/bundle.ts): the top level of the file is not compiled again at every start. false: no bundle.
 */
function runBundle(file) {
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return false;
    throw e;
  }
  const { Module } = require('node:module');
  const vm = require('node:vm');
  // the flag the build made the cache under (src/tools/bundle.ts): V8 then checks the cache's checksum, and a
  // cache damaged on disk is compiled afresh instead of crashing the process
  require('node:v8').setFlagsFromString('--verify-snapshot-checksum');
  // `round`, `peek` and `status` have a cache each, made after the verb ran (src/tools/bundle.ts): the functions it
  // calls are in it too; another verb would only deserialize code it never runs. A wrong pick costs time, never
  // correctness: V8 checks any cache against the source.
  const verb = process.argv.slice(2).find((a) => a === 'round' || a === 'peek' || a === 'status');
  const own = verb ? codeCache(`${file}.${verb}.v8cache`, source) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: own ?? codeCache(`${file}.v8cache`, source) });
  script.runInThisContext()({}, Module.createRequire(file), { exports: {} }, file, path.dirname(file));
  return true;
}

/** The cache if it was made for this build of the bundle (its first line names the build); V8 checks the rest. */
function codeCache(file, source) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const nl = buf.indexOf(10);
  return nl > 0 && buf.toString('utf8', 0, nl + 1) === source.slice(0, source.indexOf('\n') + 1) ? buf.subarray(nl + 1) : undefined;
}
