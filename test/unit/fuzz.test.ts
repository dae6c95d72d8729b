// Fuzz (issue #8): the pure parsers that take what an agent, an operator or a clock hands them, under random
// input. Complements the property tests beside each module (config.test.ts: random TOML-ish text and values
// per key; stream-parser.test.ts: random splits of one fixture at a time) with what those do not cover:
// structured objects and mutated valid files for the config loader; mixed, interleaved, garbage streams for
// the parser and the event log; the classifier, the reset-time readers and redaction.
//
// Deterministic: a fixed seed (override with FUZZ_SEED=<n> to explore), a fixed numRuns. On a failure
// fast-check prints the seed and the shrunk counterexample's path, so `FUZZ_SEED=<seed>` reproduces it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { renderExampleToml } from '../../src/config/example.js';
import { SCHEMA } from '../../src/config/schema.js';
import { salvageRuntimeKeys } from '../../src/config/salvage.js';
import { StreamParser, type AgentEvent, type StreamName } from '../../src/agents/stream-parser.js';
import { openEventLog } from '../../src/round/event-log.js';
import { parseAgentLines } from '../../src/agents/agent-lines.js';
import { classify, type RoundFacts } from '../../src/round/classify.js';
import { extractResetTime, OUTPUT_PATTERNS } from '../../src/agents/registry.js';
import { fromEpoch, resetFromRelative } from '../../src/agents/resets.js';
import { redact, redactDeep } from '../../src/util/redact.js';
import { tmpDir } from '../helpers/env.js';
import { AGENT_FIXTURE_FILES, readAgentFixtureBytes } from '../helpers/fixtures.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x08_5eed;
const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

// ---- the config loader: a valid Config or one clean ConfigError line ------------------------------------

const ENV = { HOME: '/home/u', XDG_STATE_HOME: '/xdg/state' };
const CFG = '/proj/app/agent-runner.toml';

function configOrCleanError(text: string, env: NodeJS.ProcessEnv = ENV): 'ok' | 'error' {
  try {
    const c = parseConfig(text, CFG, { env });
    assert.ok(Array.isArray(c.agent.command) && c.agent.command.length > 0 && typeof c.agent.command[0] === 'string');
    assert.ok(path.isAbsolute(c.workDir) && path.isAbsolute(c.runtime.state_dir));
    for (const [k, v] of Object.entries(c.runtime)) if (typeof v === 'number') assert.ok(Number.isFinite(v) && v >= 0, `runtime.${k} = ${v}`);
    assert.ok(c.serve.backoff_max_s >= c.serve.backoff_base_s);
    assert.ok(['stash', 'commit', 'ignore'].includes(c.vcs.dirty_action));
    return 'ok';
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    assert.equal(e.exitCode, 78);
    assert.ok(e.message.length > 0);
    assert.doesNotMatch(e.message, /[\n\r\u0000-\u001f\u2028\u2029]/, 'one line, no control characters');
    return 'error';
  }
}

const sectionNames = SCHEMA.map((s) => s.name);
const knownKeys = [...new Set(SCHEMA.flatMap((s) => s.keys.map((k) => k.key)))];

/** Values smol-toml can write: scalars of every TOML type (incl. nan/inf and dates), arrays, inline tables. */
const tomlScalar = fc.oneof(
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double(),
  fc.string({ maxLength: 16 }),
  fc.constantFrom('stash', 'commit', 'ignore', 'agent', '', '.', '~/x', '/abs', '../up'),
  fc.boolean(),
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
);
const { tomlValue } = fc.letrec((tie) => ({
  tomlValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tomlScalar,
    fc.array(tie('tomlValue'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 6 })), tie('tomlValue'), { maxKeys: 3 }),
  ),
}));
/** A whole document: known sections (tables or arrays of tables) with known and random keys, and stray keys. */
const tomlDocument = fc.dictionary(
  fc.oneof(fc.constantFrom(...sectionNames), fc.string({ maxLength: 8 })),
  fc.oneof(
    fc.dictionary(fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 8 })), tomlValue, { maxKeys: 6 }),
    fc.array(fc.dictionary(fc.constantFrom(...knownKeys), tomlValue, { maxKeys: 4 }), { maxLength: 3 }),
    tomlValue,
  ),
  { maxKeys: 6 },
);

/** A valid document to start from: the schema's own example with every default uncommented (up to the phases). */
function validBase(): string {
  const lines = renderExampleToml().split('\n');
  const uncommented = lines
    .slice(0, lines.indexOf('# [[phases]]'))
    .map((l) => (/^# [a-z_]+ = /.test(l) && !/^# (files|env|state_dir|work_dir|providers) = /.test(l) ? l.slice(2) : l))
    .join('\n');
  return uncommented;
}

/** A random edit of a text: insert, delete, replace, duplicate or swap lines. */
const edit = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('"', "'", '[', ']', '=', '\n', '{', '}', ',', '#', '\\', '"""', '[[', '0x', '-', '1e999', 'nan')) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('dupline' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swaplines' as const), at: fc.nat(), b: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdit(text: string, e: Edit): string {
  const at = text.length ? e.at % (text.length + 1) : 0;
  switch (e.op) {
    case 'insert':
      return text.slice(0, at) + e.s + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.n);
    case 'dupline':
    case 'swaplines': {
      const lines = text.split('\n');
      const i = e.at % lines.length;
      if (e.op === 'dupline') lines.splice(i, 0, lines[i]);
      else {
        const j = e.b % lines.length;
        [lines[i], lines[j]] = [lines[j], lines[i]];
      }
      return lines.join('\n');
    }
  }
}

describe('fuzz: the config loader', () => {
  test('random structured documents, written as TOML: a valid Config or one ConfigError line', () => {
    let written = 0;
    fc.assert(
      fc.property(tomlDocument, fc.option(fc.constantFrom('agent', 'x y', '/bin/true')), (doc, cmd) => {
        const obj: Record<string, unknown> = { ...doc };
        // with a command half the time, so the validation past [agent] is reached too
        if (cmd !== null && (typeof obj.agent !== 'object' || obj.agent === null || Array.isArray(obj.agent))) obj.agent = { command: [cmd] };
        let text: string;
        try {
          text = stringify(obj);
        } catch {
          return; // not expressible in TOML (smol-toml refuses it): nothing to load
        }
        written++;
        configOrCleanError(text);
      }),
      runs(800),
    );
    assert.ok(written > 400, `only ${written} documents were expressible`);
  });

  test('a valid config mutated by random edits: a valid Config or one ConfigError line', () => {
    const base = validBase();
    assert.equal(configOrCleanError(base), 'ok', 'the unmutated base is valid');
    const seen = { ok: 0, error: 0 };
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        seen[configOrCleanError(edits.reduce(applyEdit, base))]++;
      }),
      runs(800),
    );
    assert.ok(seen.ok > 0 && seen.error > 0, `both outcomes should occur: ${JSON.stringify(seen)}`);
  });

  test('random environments (HOME, XDG_STATE_HOME unset, relative, odd): never anything but a ConfigError', () => {
    const envVal = fc.option(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('/', 'relative/dir', '~', '/tmp/x y')), { nil: undefined });
    fc.assert(
      fc.property(envVal, envVal, fc.boolean(), (home, xdg, withStateDir) => {
        const env: NodeJS.ProcessEnv = {};
        if (home !== undefined) env.HOME = home;
        if (xdg !== undefined) env.XDG_STATE_HOME = xdg;
        const text = `[agent]\ncommand = ["agent"]\n[runtime]\n${withStateDir ? 'state_dir = "~/st"\n' : ''}`;
        configOrCleanError(text, env);
      }),
      runs(300),
    );
  });

  test('the observer salvage of a config that is not TOML: never throws, finds state_dir under [runtime] only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/["\\\n\r\u0000-\u001f\u007f-\u009f]/.test(s)), (junk, dir) => {
        const r = salvageRuntimeKeys(`${junk}\n[runtime]\nstate_dir = ${JSON.stringify(dir)}\n[serve]\nstate_dir = "/wrong"\n`);
        // the junk may itself open [runtime] with a state_dir first; either way the value is a string we wrote
        assert.equal(typeof r.state_dir, 'string');
        if (!/state_dir/.test(junk)) assert.equal(r.state_dir, dir);
        salvageRuntimeKeys(junk);
      }),
      runs(400),
    );
  });
});

// ---- the stream parser and the event log: the result does not depend on the chunking ---------------------

const FIXTURES = AGENT_FIXTURE_FILES.map(readAgentFixtureBytes);
const FIXTURE_LINES = [...new Set(FIXTURES.flatMap((f) => [...f.stdout.toString('utf8').split('\n'), ...f.stderr.toString('utf8').split('\n')]))].filter(Boolean);

/** One line an agent might print: a captured one, a JSON line of a known type with random fields, or junk. */
const jsonish = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.constant(1e300), fc.constant(-1));
const knownType = fc.constantFrom(
  'system', 'assistant', 'user', 'result', 'rate_limit_event', 'stream_event',
  'thread.started', 'turn.started', 'turn.completed', 'turn.failed', 'item.started', 'item.updated', 'item.completed', 'error',
);
const agentLine: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(...FIXTURE_LINES).map((l) => Buffer.from(l)),
  fc
    .record({
      type: knownType,
      subtype: fc.option(fc.constantFrom('init', 'api_retry', 'success', 'error_during_execution')),
      is_error: fc.option(fc.boolean()),
      status: fc.option(fc.constantFrom('rejected', 'allowed', 'allowed_warning')),
      resetsAt: fc.option(jsonish),
      api_error_status: fc.option(jsonish),
      error_status: fc.option(jsonish),
      error: fc.option(fc.oneof(fc.string({ maxLength: 12 }), fc.record({ message: fc.string({ maxLength: 12 }), code: jsonish }))),
      usage: fc.option(fc.record({ input_tokens: jsonish, output_tokens: jsonish, cached_input_tokens: jsonish })),
      message: fc.option(fc.record({ id: fc.string({ maxLength: 4 }), model: fc.string({ maxLength: 8 }), content: fc.array(fc.record({ type: fc.constantFrom('text', 'tool_use', 'tool_result'), text: fc.string({ maxLength: 20 }), name: fc.string({ maxLength: 6 }) }), { maxLength: 3 }) })),
      item: fc.option(fc.record({ id: fc.string({ maxLength: 4 }), type: fc.constantFrom('agent_message', 'command_execution', 'file_change', 'error', 'reasoning'), text: fc.string({ maxLength: 20 }), status: fc.string({ maxLength: 8 }) })),
      rate_limit_info: fc.option(fc.record({ status: fc.constantFrom('rejected', 'allowed'), resetsAt: jsonish })),
      total_cost_usd: fc.option(jsonish),
      num_turns: fc.option(jsonish),
    })
    .map((o) => Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null))))),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  fc.constantFrom('\x1b[31mred\x1b[0m', 'a\rb\r', '\0\0', '{"type":"result"', '{', '  {"type":"user"}  ', '\r').map((s) => Buffer.from(s, 'latin1')),
);

/** A stream as the OS hands it over: segments, each on one stream, in order. */
interface Segment {
  stream: StreamName;
  data: Buffer;
}
const transcript: fc.Arbitrary<Segment[]> = fc.array(
  fc.record({
    stream: fc.constantFrom<StreamName>('stdout', 'stderr'),
    lines: fc.array(agentLine, { maxLength: 6 }),
    eol: fc.constantFrom('\n', '\r\n', ''),
  }).map(({ stream, lines, eol }) => ({ stream, data: Buffer.concat(lines.flatMap((l) => [l, Buffer.from(eol)])) })), // eol '': the line goes on in a later segment
  { maxLength: 12 },
);

/** The same segments, each cut further at the given points (a segment's order with the others is kept). */
function recut(segs: Segment[], cuts: number[]): Segment[] {
  const out: Segment[] = [];
  let k = 0;
  for (const s of segs) {
    const points = [...new Set(cuts.slice(k, k + 4).map((c) => (s.data.length ? c % s.data.length : 0)))].sort((a, b) => a - b);
    k += 4;
    let at = 0;
    for (const p of points) {
      if (p <= at) continue;
      out.push({ stream: s.stream, data: s.data.subarray(at, p) });
      at = p;
    }
    out.push({ stream: s.stream, data: s.data.subarray(at) });
  }
  return out;
}

function parseAll(segs: Segment[]): { events: AgentEvent[]; stats: unknown; facts: unknown } {
  const p = new StreamParser();
  const events: AgentEvent[] = [];
  for (const s of segs) events.push(...p.feed(s.data, s.stream));
  events.push(...p.end());
  return { events, stats: { ...p.stats }, facts: JSON.parse(JSON.stringify(p.facts)) };
}

/** The fixtures as one session: stdout and stderr cut at random points and interleaved in a random order. */
const fixtureSession: fc.Arbitrary<Segment[]> = fc
  .tuple(fc.array(fc.nat(FIXTURES.length - 1), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 16 }), fc.array(fc.boolean(), { maxLength: 40 }))
  .map(([which, cuts, order]) => {
    const pieces = (buf: Buffer, stream: StreamName): Segment[] => recut([{ stream, data: buf }], cuts);
    const out: Segment[] = [];
    for (const i of which) {
      const a = pieces(FIXTURES[i].stdout, 'stdout');
      const b = pieces(FIXTURES[i].stderr, 'stderr');
      let o = 0;
      while (a.length || b.length) {
        const fromStdout = a.length > 0 && (b.length === 0 || (order.length ? order[o++ % order.length] : true));
        out.push(fromStdout ? a.shift()! : b.shift()!);
      }
    }
    return out;
  });

describe('fuzz: the stream parser', () => {
  test('random transcripts (JSON of every known type, junk, binary, CR): the same events, stats and facts however the bytes are chunked', () => {
    fc.assert(
      fc.property(transcript, fc.array(fc.nat(), { maxLength: 48 }), (segs, cuts) => {
        const whole = parseAll(segs);
        assert.deepEqual(parseAll(recut(segs, cuts)), whole);
        // and byte by byte
        const bytes = segs.flatMap((s) => [...s.data].map((b) => ({ stream: s.stream, data: Buffer.from([b]) })));
        assert.deepEqual(parseAll(bytes), whole);
        for (const ev of whole.events) {
          assert.ok(ev.raw.length <= 4096, 'raw is bounded');
          assert.doesNotThrow(() => JSON.stringify(ev));
        }
      }),
      runs(300),
    );
  });

  test('the captured transcripts, several in one session, stdout and stderr interleaved at random cuts: chunking changes nothing', () => {
    fc.assert(
      fc.property(fixtureSession, fc.array(fc.nat(), { maxLength: 32 }), (segs, cuts) => {
        assert.deepEqual(parseAll(recut(segs, cuts)), parseAll(segs));
      }),
      runs(150),
    );
  });

  test('a line past the 1 MiB cap in random chunks: one cut event, the same one whatever the chunking', () => {
    const big = Buffer.concat([Buffer.from('{"type":"assistant","message":{"content":"'), Buffer.alloc(1024 * 1024 + 4321, 0x78), Buffer.from('"}}\n{"type":"result","is_error":false}\n')]);
    const whole = parseAll([{ stream: 'stdout', data: big }]);
    assert.equal(whole.events.length, 2);
    assert.equal(whole.events[0].truncated, true);
    fc.assert(
      fc.property(fc.array(fc.nat(big.length), { maxLength: 24 }), (cuts) => {
        const pieces: Segment[] = [];
        let at = 0;
        for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
          if (c <= at) continue;
          pieces.push({ stream: 'stdout', data: big.subarray(at, c) });
          at = c;
        }
        pieces.push({ stream: 'stdout', data: big.subarray(at) });
        assert.deepEqual(parseAll(pieces), whole);
      }),
      runs(20),
    );
  });

  test('the event log file: every line valid JSON, the same lines (but for ts) however the output was chunked', () => {
    const dir = tmpDir('ar-fuzz-');
    try {
      let i = 0;
      const write = (segs: Segment[]): string[] => {
        const file = path.join(dir, `${i++}.events.jsonl`);
        const log = openEventLog(file, { budgetBytes: 4096 }); // a small budget: the skipping path runs too
        for (const s of segs) log.onOutput(s.data, s.stream);
        log.close();
        const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
        fs.rmSync(file);
        return lines.map((l) => {
          const v = JSON.parse(l) as Record<string, unknown>;
          assert.equal(typeof v.ts, 'string');
          delete v.ts;
          return JSON.stringify(v);
        });
      };
      fc.assert(
        fc.property(transcript, fc.array(fc.nat(), { maxLength: 48 }), (segs, cuts) => {
          const whole = write(segs);
          assert.deepEqual(write(recut(segs, cuts)), whole);
          assert.ok(!whole.at(-1)!.includes('parser_error'), `the parser threw: ${whole.at(-1)}`);
        }),
        runs(150),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- the classifier: always a valid verdict --------------------------------------------------------------

const OUTCOMES = new Set(['ok', 'failed', 'timeout', 'cancelled', 'aborted', 'preflight_failed']);
const CATEGORIES = new Set(['auth', 'usage_limit', 'quota', 'model_not_found', 'agent_config', 'rate_limit', 'network', 'upstream_error', 'missing_binary', 'crash', 'stall', 'unknown']);
const tailLine = fc.oneof(
  { weight: 3, arbitrary: agentLine.map((b) => b.toString('utf8')) },
  { weight: 2, arbitrary: fc.constantFrom(...OUTPUT_PATTERNS.map((p) => p.example)) },
  { weight: 1, arbitrary: fc.constantFrom('try again in 99999999999999999999 days', 'resets 25pm (Mars/Olympus)', 'Claude AI usage limit reached|99999999999999', 'resets at 0000-00-00T00:00Z', 'try again at Feb 30th, 2026 13:61 PM') },
  { weight: 1, arbitrary: fc.string({ maxLength: 120 }) },
);
const roundFacts: fc.Arbitrary<RoundFacts> = fc.record({
  exitCode: fc.option(fc.oneof(fc.constantFrom(0, 1, 2, 75, 78, 126, 127, 130, 137, 143, 255), fc.integer({ min: -300, max: 300 }))),
  signal: fc.option(fc.constantFrom('SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT', 'SIGPIPE', 'SIGWHAT', '')),
  timedOut: fc.boolean(),
  stalled: fc.option(fc.boolean(), { nil: undefined }),
  cancelled: fc.boolean(),
  spawnError: fc.option(fc.oneof(fc.constantFrom('ENOENT', 'EACCES', 'EPERM', 'E2BIG'), fc.string({ maxLength: 30 }))),
  tail: fc.array(tailLine, { maxLength: 40 }).map((ls) => ls.join('\n')),
  now: fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }),
});

describe('fuzz: the classifier', () => {
  test('random tails, exit codes, signals and supervisor facts: always a valid, one-line, redacted verdict', () => {
    fc.assert(
      fc.property(roundFacts, (f) => {
        const v = classify(f);
        assert.ok(OUTCOMES.has(v.outcome), `outcome ${v.outcome}`);
        assert.ok(v.category === null || CATEGORIES.has(v.category), `category ${v.category}`);
        assert.equal(typeof v.reason, 'string');
        assert.doesNotMatch(v.reason, /[\n\r]/);
        assert.ok(v.reason.length <= 200, `reason of ${v.reason.length} chars`);
        if (v.retryAfter !== null) {
          assert.ok(Number.isFinite(v.retryAfter.getTime()), 'retryAfter is a real time');
          assert.doesNotThrow(() => v.retryAfter!.toISOString());
          // the words it was read from go with it: one line, at most 200 characters
          assert.equal(typeof v.retrySource, 'string');
          assert.doesNotMatch(v.retrySource!, /[\n\r]/);
          assert.ok(v.retrySource!.length <= 200);
        } else assert.equal(v.retrySource, null);
        // the supervisor's own facts decide first
        if (f.cancelled) assert.equal(v.outcome, 'cancelled');
        else if (f.timedOut) assert.equal(v.outcome, 'timeout');
        else if (f.spawnError) assert.equal(v.outcome, 'failed');
        if (v.outcome === 'ok') assert.equal(v.category, null);
        if (v.outcome === 'ok') assert.equal(f.exitCode, 0);
        // the tail reader alone never throws either
        parseAgentLines(f.tail);
      }),
      runs(1500),
    );
  });
});

// ---- reset times: a real Date or null ---------------------------------------------------------------------

const num = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.nat(), fc.constantFrom('99999999999999999999', '1e999', '0', '00', '1.5', '007', '99999'));
const zone = fc.constantFrom('UTC', 'Europe/Warsaw', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+14', 'Mars/Olympus', 'A', 'x/y/z', 'Europe/Warsaw/Extra');
const month = fc.constantFrom('Jan', 'feb', 'March', 'Sept', 'Dec.', 'Foo');
const resetText = fc.oneof(
  fc.tuple(fc.constantFrom('try again in', 'resets in', 'retry after', 'wait for', 'available again in'), fc.array(fc.tuple(num, fc.constantFrom('days', 'd', 'hours', 'h', 'min', 'm', 'ms', 's', 'seconds', 'weeks')), { minLength: 1, maxLength: 4 })).map(
    ([lead, parts]) => `${lead} ${parts.map(([n, u]) => `${n} ${u}`).join(', ')}`,
  ),
  fc.tuple(num, fc.option(num), fc.constantFrom('am', 'pm', 'AM', ''), zone, fc.option(fc.tuple(month, num))).map(
    ([h, m, ap, z, md]) => `resets ${md ? `${md[0]} ${md[1]}, ` : ''}${h}${m !== null ? `:${m}` : ''}${ap} (${z})`,
  ),
  fc.tuple(month, num, num, num, num, fc.constantFrom('AM', 'PM', '')).map(([mo, d, y, h, mi, ap]) => `try again at ${mo} ${d}th, ${y} ${h}:${mi} ${ap}.`),
  fc.tuple(num, num).map(([h, mi]) => `try again at ${h}:${mi}`),
  fc.oneof(num, fc.nat().map(String), fc.constantFrom('1e300', '9999999999999', '0000000001')).map((n) => `Claude AI usage limit reached|${n}`),
  fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('Z', '+05:30', '-0800', '+99:99')).map(
    ([y, mo, d, z]) => `resets at ${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T12:00:00${z}`,
  ),
  fc.string({ maxLength: 80 }),
);
const anyNow = fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });

describe('fuzz: reset-time parsing', () => {
  test('random reset phrases (absurd numbers, unknown zones, impossible dates): a real Date or null, never a throw', () => {
    fc.assert(
      fc.property(resetText, fc.string({ maxLength: 20 }), anyNow, (text, noise, now) => {
        for (const t of [text, `${noise} ${text} ${noise}`]) {
          const d = extractResetTime(t, now);
          assert.ok(d === null || (d instanceof Date && Number.isFinite(d.getTime())), `${JSON.stringify(t)} → ${String(d)}`);
        }
      }),
      runs(2000),
    );
  });

  test('a relative wait is now plus its parts; an epoch is a real Date or null', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 59 }), anyNow, (h, m, now) => {
        const d = resetFromRelative(`Please try again in ${h} hours ${m} minutes.`, now);
        assert.equal(d?.getTime(), now.getTime() + h * 3_600_000 + m * 60_000);
      }),
      runs(300),
    );
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer()), (n) => {
        const d = fromEpoch(n);
        assert.ok(d === null || Number.isFinite(d.getTime()));
      }),
      runs(500),
    );
  });
});

// ---- redaction: never throws, idempotent, finishes on a megabyte ------------------------------------------

const secretish = fc.constantFrom(
  'sk-ant-api03-', 'sk-proj-', 'sk-', 'ghp_', 'github_pat_', 'xoxb-', 'AKIA', 'AIza', 'npm_', 'hf_', 'eyJ', 'Bearer ', 'bearer ',
  'Authorization: ', 'authorization=', 'x-api-key: ', 'API_KEY=', 'token=', 'password = "', "secret='", '"access_token": "',
  'https://u:p@', '-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----', '[REDACTED]', '$TOKEN', '=', '"', "'", '.', '_', '-',
  // issue 19, item 15: \u-escaped names, an escaped backslash before a u, line breaks around an END line
  '"\\u0061pi_key": "', '\\u005f', '\\\\u0061', '\\u00', '\n', '\n-----END OPENSSH PRIVATE KEY-----\n',
);
const redactInput = fc.array(fc.oneof(secretish, fc.string({ maxLength: 12 }), fc.stringMatching(/^[A-Za-z0-9_\-.+/=]{0,40}$/)), { maxLength: 24 }).map((p) => p.join(''));

describe('fuzz: redaction', () => {
  test('random text built from secret-shaped pieces: never throws, and redacting twice changes nothing', () => {
    fc.assert(
      fc.property(redactInput, (s) => {
        const once = redact(s);
        assert.equal(redact(once), once, `not idempotent on ${JSON.stringify(s)}`);
      }),
      runs(3000),
    );
  });

  test('redactDeep on random JSON values: never throws, idempotent, keeps the shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = redactDeep(v);
        assert.deepEqual(redactDeep(once), once);
        assert.equal(Array.isArray(once), Array.isArray(v));
        assert.equal(typeof once, typeof v);
      }),
      runs(500),
    );
  });

  // issue 19, item 15: the gaps the fault suite found, each as a property
  const secretValue = fc.stringMatching(/^[a-z][a-z0-9]{11,23}$/);
  const secretName = fc.constantFrom('api_key', 'client_secret', 'GITLAB_TOKEN', 'password', 'access_token', 'SecretAccessKey');

  test('a secret under a JSON key whose letters are \\u-escaped (any subset) is redacted', () => {
    fc.assert(
      fc.property(secretName, secretValue, fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }), (name, value, esc) => {
        const key = [...name].map((c, i) => (esc[i] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
        const line = `{"id":1,"${key}": "${value}"}`;
        assert.equal(JSON.parse(line)[name], value, 'the line means what it says');
        assert.ok(!redact(line).includes(value), `leaked through ${line}`);
      }),
      runs(500),
    );
  });

  test('a private key cut above its END, at any line and in lines of any width, leaves no body line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 100 }), fc.integer({ min: 2, max: 40 }), fc.nat(), (width, lines, cutAt) => {
        const body = Array.from({ length: lines }, (_, i) => `K${i}`.padEnd(width, 'Q9x+/').slice(0, width));
        const tail = body.slice(cutAt % lines).join('\n') + '\n-----END RSA PRIVATE KEY-----\nexit 1\n';
        const out = redact(tail);
        for (const l of body.slice(cutAt % lines)) assert.ok(!out.includes(l), `width ${width}: ${JSON.stringify(out)}`);
        assert.equal(redact(out), out);
      }),
      runs(400),
    );
  });

  test('a secret in the free-text model field or after a name split across chunks never reaches an event or the tally', () => {
    fc.assert(
      fc.property(secretValue, fc.array(fc.nat(), { maxLength: 6 }), (value, cuts) => {
        const key = `sk-ant-api03-${value}${value}`;
        const text =
          `{"type":"system","subtype":"init","model":"${key}","session_id":"s"}\n` +
          `{"type":"assistant","message":{"id":"m","model":"m ${key}","content":[{"type":"text","text":"hi"}]}}\n` +
          `DEPLOY_TOKEN=${value}\n`;
        const bytes = Buffer.from(text);
        const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
        const p = new StreamParser();
        const events: AgentEvent[] = [];
        let from = 0;
        for (const c of [...at, bytes.length]) {
          events.push(...p.feed(bytes.subarray(from, c), 'stdout'));
          from = c;
        }
        events.push(...p.end());
        const seen = JSON.stringify(events) + JSON.stringify(p.stats);
        assert.ok(!seen.includes(value), `leaked: ${seen}`);
      }),
      runs(300),
    );
  });

  test('a megabyte of adversarial text built from random secret-shaped units: finishes (the test timeout is the bound)', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(secretish, { minLength: 1, maxLength: 4 }), fc.stringMatching(/^[A-Za-z0-9_\-.=:"' ]{1,12}$/), (units, filler) => {
        const unit = units.join('') + filler;
        const text = unit.repeat(Math.ceil((1024 * 1024) / unit.length)).slice(0, 1024 * 1024);
        const out = redact(text);
        assert.equal(typeof out, 'string');
      }),
      runs(12),
    );
  });
});
