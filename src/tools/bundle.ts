// `node build/src/tools/bundle.js`: bundle the tsc output of the CLI with esbuild into build/bundle/cli/: the
// whole CLI (main.cjs) and one bundle per verb whose start-up is benchmarked (round.cjs, status.cjs, peek.cjs,
// probe.cjs: src/cli/verb-entry.ts), and write V8's code cache of each beside it (<name>.cjs.v8cache).
// Why: a Node start pays per module file (resolve, read, compile) and more for an ES module than for a
// CommonJS one (the ESM loader reads and links asynchronously); ~40 files and commander's CommonJS become one
// CommonJS file, which `./build.sh bench` measures against the tsc output. A start then still reads the whole
// file and deserializes its cache, in proportion to its size: a verb's own bundle holds only the code that verb
// can reach (round.cjs ~40% of main.cjs, status.cjs ~15%), so its start reads and compiles that much less.
// Within a bundle each verb's code is still evaluated only when that verb runs (lazy imports become lazy
// initialisers), and V8 compiles a function only when it is first called. The code cache spares each start the
// compile of the file's top level (bin/agent-runner.js); a verb bundle's cache is made after the verb really
// ran, so it holds the functions the verb calls too. bin/agent-runner.js (CommonJS too, bin/package.json) runs
// the bundles whenever they are there (AGENT_RUNNER_ENTRY=src forces the tsc output), so `./build.sh build`
// makes both, always. Without esbuild this is a no-op and the tsc output runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Module } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';
import { codeCacheFile } from './code-cache.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI_DIR = path.join(ROOT, 'build', 'src', 'cli');
/** the same depth below the root as build/src/<dir>/, so '../../..' paths in the sources still reach the root */
const OUT_DIR = path.join(ROOT, 'build', 'bundle', 'cli');
/**
 * The bundles: the whole CLI, one per verb the bin picks by the command line's verb (entry-<verb>.ts), and
 * peek-early, which the bin runs before peek's to start its git status (entry-peek-early.ts).
 */
const ENTRIES: Record<string, string> = {
  main: path.join(CLI_DIR, 'main.js'),
  ...Object.fromEntries(['round', 'status', 'peek', 'probe', 'peek-early'].map((v) => [v, path.join(CLI_DIR, `entry-${v}.js`)])),
};
const outFile = (name: string) => path.join(OUT_DIR, `${name}.cjs`);
/**
 * The verbs whose bundle's cache is made after the verb ran (writeVerbCaches), in this order (peek and status then
 * show a round). `probe live` is not among them: in the scratch project nothing is live, and a cache is made only
 * after an exit 0; its bundle keeps the plain cache.
 */
const WARMED: ReadonlyArray<readonly string[]> = [['round'], ['peek', '--json'], ['status', '--json']];
/**
 * Dependencies inlined: small, pure JS, on every start's path. Every other one stays a require() from
 * node_modules (so it must ship CommonJS): some find their own files at run time, which a bundle would break.
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
  const out = await esbuild.build({
    entryPoints: ENTRIES,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outdir: OUT_DIR,
    outExtension: { '.js': '.cjs' },
    external: deps.filter((d) => !INLINED.has(d)),
    // the sources find files next to themselves (package.json, templates) by import.meta.url, made on first use:
    // pathToFileURL costs ~0.5 ms, at every start, for the few verbs that look for such a file
    define: { 'import.meta.url': '__arModule.url' },
    // the build's name (the code cache must be this build's); strict, as the modules were; one namespace
    // object per Node builtin (shareBuiltinNamespaces)
    banner: {
      js: [
        `// agent-runner bundle ${randomBytes(8).toString('hex')}`,
        "'use strict';",
        "const __arModule = { get url() { return (this.href ??= require('node:url').pathToFileURL(__filename).href); } };",
        'const __arNs = new Map();',
        'const __arNodeNs = (id) => { let ns = __arNs.get(id); if (!ns) { const m = require(id); __arNs.set(id, (ns = Object.create(m, { default: { value: m, enumerable: true } }))); } return ns; };',
      ].join('\n'),
    },
    plugins: [lazyChildProcessForCommander],
    logLevel: 'warning',
    legalComments: 'none',
    // no comments, no indentation: a start reads and decodes 25% fewer bytes, and only ASCII (the sources' comments
    // hold a few '→' and '…', which made V8 keep the whole source as a two-byte string): ~1 ms less to read the
    // round's bundle, ~1 ms less to compile it with its cache. Names stay as written (stack traces, profiles).
    minifyWhitespace: true,
    write: false,
  });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const f of out.outputFiles) fs.writeFileSync(f.path, shareBuiltinNamespaces(f.text));
  for (const name of Object.keys(ENTRIES)) writeCodeCache(outFile(name));
  writeVerbCaches();
  return 0;
}

/**
 * esbuild turns each `import * as fs from 'node:fs'` into `__toESM(require("node:fs"), 1)`: a new object with
 * a getter per export (about a hundred for fs), made again in every module that imports it, some 80 times per
 * start (~2 ms). One per builtin is enough (a namespace object is shared in ES modules too), and it needs no
 * getter: the banner's `__arNodeNs` makes it once, an object whose prototype is the module itself (each name
 * read through it, as live as a getter) and whose `default` is the module, as `__toESM(m, 1)` gives. Copying
 * the getters of fs, path and os cost 0.4–0.6 ms per start.
 */
function shareBuiltinNamespaces(code: string): string {
  const each = /__toESM\(require\("(node:[a-z_/]+)"\), ?1\)/g;
  if (!each.test(code)) throw new Error('bundle: no __toESM(require("node:…"), 1) found: has esbuild changed its helpers?');
  return code.replace(each, '__arNodeNs("$1")');
}

/**
 * V8's cache of the bundle's compiled top level, made as the bin compiles it (the same CommonJS wrapper, and no
 * V8 flag: V8 hashes its flags into the cache and rejects one made under other flags). V8 checks it against its
 * own version and compiles afresh when it differs; the file's layout (code-cache.ts) ties it to this build of
 * the bundle and lets the bin tell a cache damaged on disk.
 */
function writeCodeCache(file: string): void {
  const source = fs.readFileSync(file, 'utf8');
  // the bin runs the bundle as a vm.Script, which has no loader for import(): every module must be bundled
  if (/\bimport\(/.test(source)) throw new Error(`${file} calls import(): bundle that module, or load it with require()`);
  const data = new vm.Script(Module.wrap(source), { filename: file }).createCachedData();
  // written aside and renamed: a bin starting during the build reads the old cache or the new, never half
  const tmp = `${file}.v8cache.${process.pid}.tmp`;
  fs.writeFileSync(tmp, codeCacheFile(source, data));
  fs.renameSync(tmp, `${file}.v8cache`);
}

/**
 * The cache of a benchmarked verb's bundle made again after the verb really ran (a round with agent `true`, then
 * peek and status) in a scratch repository: V8 keeps every function compiled by then, so the verb's start no
 * longer compiles each function it calls on first call (a few ms of CPU; docs/performance.md). Any failure (no
 * git, no writable temp dir) leaves that bundle with its plain cache.
 */
function writeVerbCaches(): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-warm-cache-'));
  try {
    const repo = path.join(scratch, 'repo');
    fs.mkdirSync(path.join(repo, 'prompts'), { recursive: true });
    // nothing of the caller's: no config found elsewhere, the temp boxes under the scratch state dir
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['AGENT_RUNNER_CONFIG', 'XDG_RUNTIME_DIR', 'NODE_OPTIONS', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, stdio: 'pipe' });
    git('init', '-q');
    fs.writeFileSync(path.join(repo, 'prompts', 'main.md'), 'Improve the project one small step at a time, and commit.\n');
    const state = path.join(scratch, 'state');
    fs.writeFileSync(path.join(repo, 'agent-runner.toml'), `[agent]\ncommand = ["true"]\n\n[runtime]\nstate_dir = ${JSON.stringify(state)}\n\n[prompt]\nfile = "prompts/main.md"\n`);
    git('add', '-A');
    // no hook of the caller's global config, no signing prompt: a scratch commit only
    const scratchCommit = ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', '-c', 'user.name=agent-runner build', '-c', 'user.email=build@agent-runner.invalid'];
    git(...scratchCommit, 'commit', '-q', '-m', 'scratch');
    for (const verb of WARMED) warmCache(verb, repo, env);
  } catch (e) {
    process.stderr.write(`bundle: no code caches per verb (${e instanceof Error ? e.message : e}): each bundle keeps its plain one\n`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function warmCache(verb: readonly string[], repo: string, env: NodeJS.ProcessEnv): void {
  const bundle = outFile(verb[0]);
  const file = `${bundle}.v8cache`;
  const tmp = `${file}.${process.pid}.tmp`;
  const tool = path.join(ROOT, 'build', 'src', 'tools', 'warm-cache.js');
  const r = spawnSync(process.execPath, [tool, bundle, tmp, ...verb], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  if (r.status === 0 && fs.existsSync(tmp)) return fs.renameSync(tmp, file);
  fs.rmSync(tmp, { force: true });
  const why = String(r.stderr ?? '').trim().split('\n')[0] || `exit ${r.status ?? r.signal}`;
  process.stderr.write(`bundle: no code cache for ${verb[0]} (${why}): it keeps the plain one\n`);
}

process.exitCode = await main();
