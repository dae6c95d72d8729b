// A separate supervisor process for memory tests: runs spawnAgent on the spec given as JSON in argv[2],
// waits for the agent to exit and its output to drain, and prints one JSON line with the result.
// The test samples this process's VmRSS from outside, so the test runner's own memory does not blur it.
import { spawnAgent, type SpawnSpec } from '../../src/round/spawn.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as SpawnSpec;
let outputBytes = 0;
const agent = spawnAgent({ ...spec, onOutput: (chunk) => (outputBytes += chunk.length) });
const exit = await agent.exited;
await agent.drained;
process.stdout.write(JSON.stringify({ pid: agent.pid, exit, outputBytes }) + '\n');
