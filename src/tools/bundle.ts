// `node build/src/tools/bundle.js`: bundle the tsc output of the CLI into build/bundle/cli/ with esbuild.
// Why: a Node start pays per module file (resolve, read, compile); ~30 files and commander's CommonJS
// become a handful, which `./build.sh bench` measures against the tsc output. Each verb stays its own
// chunk (code splitting), so the lazy imports in program.ts still load only what a verb needs.
// bin/agent-runner.js runs the bundle whenever it is there (AGENT_RUNNER_ENTRY=src forces the tsc output),
// so `./build.sh build` makes both, always. Without esbuild this is a no-op and the tsc output runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ENTRY = path.join(ROOT, 'build', 'src', 'cli', 'main.js');
/** the same depth below the root as build/src/<dir>/, so '../../..' paths in the sources still reach the root */
const OUT_DIR = path.join(ROOT, 'build', 'bundle', 'cli');
/**
 * Dependencies inlined: small, pure JS, on every start's path. Every other one stays a normal import
 * from node_modules: some find their own files at run time (pino's worker transports, systeminformation),
 * which a bundle would break, and the lazy ones cost nothing until used anyway.
 */
const INLINED = new Set(['commander', 'smol-toml']);

/**
 * commander requires child_process at load for executable subcommands, which this CLI never uses;
 * loading it costs ~15 ms (it pulls in net). Inside the bundle commander gets a stand-in that loads
 * the real module on first use.
 */
const lazyChildProcessForCommander: import('esbuild').Plugin = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    const commander = `${path.sep}node_modules${path.sep}commander${path.sep}`;
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      a.importer.includes(commander) ? { path: 'child_process', namespace: 'ar-lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'ar-lazy' }, () => ({
      loader: 'js',
      contents:
        "let real; const load = () => (real ??= require('node:child_process'));\n" +
        'module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });\n',
    }));
  },
};

async function main(): Promise<number> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('bundle: esbuild is not installed; bin/agent-runner.js runs the tsc output\n');
    return 0;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: OUT_DIR,
    external: deps.filter((d) => !INLINED.has(d)),
    // dependencies are bundled too: that is the point. Their CommonJS `require`s need a real require.
    banner: { js: "import { createRequire as __arCreateRequire } from 'node:module'; const require = __arCreateRequire(import.meta.url);" },
    plugins: [lazyChildProcessForCommander],
    logLevel: 'warning',
    legalComments: 'none',
  });
  return 0;
}

process.exitCode = await main();
