#!/usr/bin/env node
// Which build runs is decided by presence, never by file times (which a copy, a checkout or a tarball
// reorders): the esbuild bundle (build/bundle, made by `./build.sh build` right after tsc; it starts
// faster, docs/performance.md) when it is there, else the tsc output. AGENT_RUNNER_ENTRY=src forces the tsc
// output, for a developer who re-ran only `tsc`; `./build.sh build` always remakes both.
const entry =
  process.env.AGENT_RUNNER_ENTRY === 'src'
    ? '../build/src/cli/main.js'
    : await import('../build/bundle/cli/main.js').then(
        () => null,
        (e) => {
          if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/build/bundle/cli/main.js')) throw e;
          return '../build/src/cli/main.js';
        },
      );
if (entry) await import(entry);
