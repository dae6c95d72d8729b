// A Node builtin loaded on its first use: the costly ones (node:crypto ~3–5 ms, node:child_process ~3.5 ms) stay
// out of the starts that do not need them. Not through createRequire: node:module loads Node's ES module loader
// with it (~0.5 ms at every start). process.getBuiltinModule (Node 20.16, 22.3) needs nothing; before it, the
// require of the bin (bin/agent-runner.js is CommonJS, always the main module).

type Loader = (id: string) => unknown;

let load: Loader | undefined;

export function builtin<T>(id: `node:${string}`): T {
  load ??= loader();
  return load(id) as T;
}

function loader(): Loader {
  const p = process as NodeJS.Process & { getBuiltinModule?: Loader };
  if (typeof p.getBuiltinModule === 'function') return p.getBuiltinModule.bind(process);
  const main = (process as NodeJS.Process & { mainModule?: { require: Loader } }).mainModule;
  if (main) return main.require.bind(main);
  throw new Error(`Node ${process.version} has no process.getBuiltinModule and no CommonJS main module: use Node 20.16 or later`);
}
