#!/usr/bin/env node
// CommonJS (bin/package.json), like the bundle it runs: a Node start without the ES module loader is a few
// milliseconds shorter (docs/performance.md). Which build runs is decided by presence, never by file times
// (which a copy, a checkout or a tarball reorders): the esbuild bundle (build/bundle/cli/main.cjs, made by
// `./build.sh build` right after tsc) when it is there, else the tsc output. AGENT_RUNNER_ENTRY=src forces the
// tsc output, for a developer who re-ran only `tsc`; `./build.sh build` always remakes both.
'use strict';
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'build', 'bundle', 'cli', 'main.cjs');
let bundled = false;
if (process.env.AGENT_RUNNER_ENTRY !== 'src') {
  try {
    require(bundle);
    bundled = true;
  } catch (e) {
    if (e?.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(bundle)) throw e;
  }
}
if (!bundled) import('../build/src/cli/main.js');
