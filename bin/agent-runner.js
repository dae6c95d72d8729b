#!/usr/bin/env node
// Runs the esbuild bundle (build/bundle, made by `./build.sh build`) when it is at least as new as the
// tsc output: it starts faster (docs/performance.md). A later plain `tsc` makes build/src newer, and
// then build/src is what runs, so a stale bundle never shadows fresh code.
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundle = mtime('../build/bundle/cli/main.js');
await import(bundle >= 0 && bundle >= mtime('../build/src/cli/main.js') ? '../build/bundle/cli/main.js' : '../build/src/cli/main.js');
