// `node build/src/tools/warm-cache.js <bundle> <out> <verb> [args…]`, run by bundle.ts in a scratch project: runs
// a verb's bundle compiled as bin/agent-runner.js compiles it (the same wrapper and filename, and no V8 flag, and its
// `run` called as the bin calls it), then writes V8's code cache of that script, which now holds every function
// the verb compiled, not only the file's top level. Only on exit 0: a verb that failed compiled another path than
// the one it usually takes.
import * as fs from 'node:fs';
import { Module } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { codeCacheFile } from './code-cache.js';

const [file, out, ...verb] = process.argv.slice(2);
if (!file || !out || !verb.length) throw new Error('usage: warm-cache.js <bundle> <out> <verb> [args…]');
const source = fs.readFileSync(file, 'utf8');
const script = new vm.Script(Module.wrap(source), { filename: file });
process.on('exit', (code) => {
  if (code !== 0) return;
  fs.writeFileSync(out, codeCacheFile(source, script.createCachedData()));
});
// the CLI reads its verb from argv, as it would from the bin's
process.argv = [process.argv[0], path.resolve(path.dirname(file), '../../../bin/agent-runner.js'), ...verb];
const mod = { exports: {} as { run?: () => boolean } };
script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
if (mod.exports.run?.() !== true) throw new Error(`${path.basename(file)} did not take \`${verb.join(' ')}\``);
