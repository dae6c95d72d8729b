// The pure pieces of the security hardening: redaction of the forms the end-to-end test found leaking,
// private keys split over stream events, tails that start mid-secret, and the work-dir rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { redact, REDACTED } from '../../src/util/redact.js';
import { StreamParser } from '../../src/agents/stream-parser.js';
import { redactedTail } from '../../src/state/redacted-tail.js';
import { CREDENTIAL_DIRS, workDirProblem } from '../../src/config/work-dir.js';
import { tmpDir } from '../helpers/env.js';

const AWS_SECRET = 'Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc1Vb2Nm3M';
const BODY = [
  'MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw',
  '7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFc',
  'Hq3Wb5Zr8TkYp2Lm0Vx7==',
];

test('redaction: AWS secret keys as the AWS CLI prints them, plain and quoted inside a JSON string', () => {
  for (const s of [
    `{"AccessKey": {"AccessKeyId": "AKIAZ7QWERTY12345678", "SecretAccessKey": "${AWS_SECRET}"}}`,
    `{"text":"{\\"SecretAccessKey\\": \\"${AWS_SECRET}\\"}"}`,
    `{"Credentials": {"SessionToken": "${AWS_SECRET}"}}`,
    `AWS_SECRET_ACCESS_KEY: ${AWS_SECRET}`,
    `x-auth-token: ${AWS_SECRET}`,
  ]) {
    const out = redact(s);
    assert.ok(!out.includes(AWS_SECRET) && out.includes(REDACTED), out);
  }
  // prose with a colon stays; a name that only looks like a key name keeps its non-secret value
  for (const s of ['Token: see below', 'Password: required', '{"AccessKeyId": "none"}']) assert.equal(redact(s), s);
});

test('redaction: a private key whose lines arrive one at a time, or JSON-escaped, or cut before its END', () => {
  // one line per call (a log tail, an event per line): body lines and the short last line before END
  const text = ['-----BEGIN RSA PRIVATE KEY-----', ...BODY, '-----END RSA PRIVATE KEY-----'].join('\n');
  for (const l of BODY) assert.ok(!redact(text).includes(l.slice(4, 30)), redact(text));
  assert.ok(!redact(`${BODY[2]}\n-----END RSA PRIVATE KEY-----`).includes(BODY[2].slice(0, 12)));
  assert.equal(redact(BODY[0]), REDACTED);
  // inside a JSON string, cut before its END
  const json = `{"text":"-----BEGIN RSA PRIVATE KEY-----\\n${BODY[0]}\\n${BODY[1]}`;
  assert.ok(!redact(json).includes(BODY[1].slice(4, 30)), redact(json));
});

test('stream parser: the lines of a private key printed as text are redacted, up to its END', () => {
  const p = new StreamParser();
  const lines = ['before', '-----BEGIN OPENSSH PRIVATE KEY-----', ...BODY, 'short', '-----END OPENSSH PRIVATE KEY-----', 'after'];
  const evs = p.feed(Buffer.from(lines.join('\n') + '\n'), 'stdout');
  const raws = evs.map((e) => e.raw);
  assert.equal(raws[0], 'before');
  assert.equal(raws.at(-1), 'after');
  for (const r of raws.slice(2, -1)) assert.equal(r, REDACTED);
  // stderr is its own stream: a key open on stdout does not blank it
  const q = new StreamParser();
  q.feed(Buffer.from('-----BEGIN PRIVATE KEY-----\n'), 'stdout');
  assert.equal(q.feed(Buffer.from('plain\n'), 'stderr')[0].raw, 'plain');
});

test('redactedTail: a tail that starts inside a secret drops the partial line before redacting', (t) => {
  const dir = tmpDir('ar-tail-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'log');
  const key = 'sk-ant-api03-' + 'Zx9_Qw8-Er7Ty6Ui5Op4As3Df2Gh1Jk0'.repeat(3);
  fs.writeFileSync(file, `first line\nkey ${key} end\nlast line\n`);
  // cut inside the key: "…Jk0Zx9…" would not be recognised any more
  const bytes = Buffer.byteLength(`${key.slice(20)} end\nlast line\n`);
  const tail = redactedTail(file, bytes);
  assert.equal(tail, 'last line\n');
  assert.equal(redactedTail(file, 1 << 20), `first line\nkey ${REDACTED} end\nlast line\n`);
  assert.equal(redactedTail(path.join(dir, 'none'), 100), '');
});

test('work dir rules: /, credential dirs (inside or above), control characters; a project dir is fine', () => {
  const home = '/home/u';
  const refused: Array<[string, RegExp]> = [
    ['/', /root directory/],
    ['/home/u', /contains \/home\/u\/\.ssh/],
    ['/home', /contains/],
    ['/home/u/.ssh', /inside/],
    ['/home/u/.aws/x', /inside/],
    ['/home/u/.config/gcloud', /inside/],
    ['/home/u/.config', /contains \/home\/u\/\.config\/gcloud/],
    ['/srv/a\nb', /control character/],
    ['/srv/a\u007fb', /control character/],
    ['relative/dir', /not an absolute path/],
  ];
  for (const [dir, why] of refused) assert.match(workDirProblem(dir, home) ?? 'accepted', why, dir);
  for (const dir of ['/home/u/src/app', '/home/u/.sshx', '/srv/app', '/tmp/x']) assert.equal(workDirProblem(dir, home), null, dir);
  assert.ok(CREDENTIAL_DIRS.includes('.ssh') && CREDENTIAL_DIRS.includes('.config/gcloud'));
});
