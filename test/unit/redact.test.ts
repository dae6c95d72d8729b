// Secrets never reach a reason, an event or a snapshot; ordinary text passes untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hintMisses, redact, redactDeep, REDACTED, REDACTION_RULES } from '../../src/util/redact.js';
import { REPO_ROOT } from '../helpers/env.js';

const ANT = 'sk-ant-api03-' + 'Zx9_Qw8-Er7Ty6Ui5Op4As3Df2Gh1Jk0'.repeat(3) + 'AA';
const OAT = 'sk-ant-oat01-' + 'q1W2e3R4t5Y6u7I8o9P0'.repeat(4);
const PROJ = 'sk-proj-' + 'Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7'.repeat(4);
const LEGACY = 'sk-' + 'T3BlbkFJ'.repeat(6);
const GHP = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2);
const PAT = 'github_pat_11ABCDEFG0' + 'x_Y1z2'.repeat(12);
const SLACK = 'xoxb-1234567890-0987654321-' + 'AbCdEfGhIjKlMnOp';
const AKIA = 'AKIAIOSFODNN7EXAMPLE';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

/** The secret is gone, a marker is there. */
function gone(input: string, secret: string): string {
  const out = redact(input);
  assert.ok(!out.includes(secret), `still holds the secret: ${out}`);
  assert.ok(out.includes(REDACTED), `no marker: ${out}`);
  return out;
}

test('API keys: Anthropic, OAuth, OpenAI project and legacy', () => {
  gone(`using key ${ANT} now`, ANT);
  gone(`token=${OAT}`, OAT);
  gone(`"${PROJ}"`, PROJ);
  gone(`Incorrect API key provided: ${LEGACY}.`, LEGACY);
  assert.equal(redact(`a ${ANT} b`), `a ${REDACTED} b`);
});

test('Bearer tokens and Authorization headers', () => {
  assert.equal(redact('Authorization: Bearer abc123DEF456ghi789'), `Authorization: Bearer ${REDACTED}`);
  assert.equal(redact('curl -H "authorization: bearer abcdef0123456789xyz"'), `curl -H "authorization: bearer ${REDACTED}"`);
  assert.equal(redact('Authorization: Basic dXNlcjpwYXNzd29yZA=='), `Authorization: Basic ${REDACTED}`);
  assert.equal(redact('sent Bearer abc123DEF456ghi789 upstream'), `sent Bearer ${REDACTED} upstream`);
});

test('AWS access keys and secret assignments', () => {
  gone(`aws_access_key_id = ${AKIA}`, AKIA);
  gone(`found ${AKIA} in config`, AKIA);
  assert.equal(
    redact('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
    `aws_secret_access_key = ${REDACTED}`,
  );
});

test('JWTs', () => {
  assert.equal(redact(`id_token: ${JWT}`), `id_token: ${REDACTED}`);
});

test('credentials in URLs keep scheme and host', () => {
  assert.equal(redact('git clone https://alice:s3cr3t@github.com/x/y.git'), `git clone https://${REDACTED}@github.com/x/y.git`);
  assert.equal(redact('postgres://app:pa55w0rd@db.internal:5432/main'), `postgres://${REDACTED}@db.internal:5432/main`);
  assert.equal(redact('see https://github.com/x/y and http://host:8080/path'), 'see https://github.com/x/y and http://host:8080/path');
});

test('env assignments: *_KEY, *_TOKEN, *_SECRET, *_PASSWORD', () => {
  assert.equal(redact('ANTHROPIC_API_KEY=sk-ant-invalid'), `ANTHROPIC_API_KEY=${REDACTED}`);
  assert.equal(redact('export GITHUB_TOKEN="abc def"'), `export GITHUB_TOKEN=${REDACTED}`);
  assert.equal(redact("CLIENT_SECRET='x y z' next"), `CLIENT_SECRET=${REDACTED} next`);
  assert.equal(redact('DB_PASSWORD=hunter2 PORT=5432'), `DB_PASSWORD=${REDACTED} PORT=5432`);
  assert.equal(redact('MY_SERVICE_KEY = abc'), `MY_SERVICE_KEY = ${REDACTED}`);
  assert.equal(redact('password=letmein'), `password=${REDACTED}`);
  // references are not secrets
  assert.equal(redact('GITHUB_TOKEN=$GH_TOKEN'), 'GITHUB_TOKEN=$GH_TOKEN');
  assert.equal(redact('max_tokens=4096 monkey=banana'), 'max_tokens=4096 monkey=banana');
});

test('JSON secret fields', () => {
  assert.equal(redact('{"OPENAI_API_KEY": "sk-abc", "model": "gpt"}'), `{"OPENAI_API_KEY": "${REDACTED}", "model": "gpt"}`);
  assert.equal(redact('{"access_token":"a\\"b","apiKey":"xyz","input_tokens":12}'), `{"access_token":"${REDACTED}","apiKey":"${REDACTED}","input_tokens":12}`);
  assert.equal(redact('{"apiKeySource":"ANTHROPIC_API_KEY"}'), '{"apiKeySource":"ANTHROPIC_API_KEY"}');
});

test('PEM private key blocks, whole or cut off by the tail', () => {
  const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n';
  const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
  const out = gone(`before\n${pem}\nafter`, 'MIIEvQIBADAN');
  assert.ok(out.startsWith('before\n') && out.endsWith('\nafter'));
  gone(`-----BEGIN OPENSSH PRIVATE KEY-----\n${body}`, 'VJTUt9Us8c');
  // public material is fine
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  assert.equal(redact(cert), cert);
});

test('GitHub and Slack tokens', () => {
  gone(`remote: ${GHP}`, GHP);
  gone(PAT, PAT.slice(11));
  gone(`SLACK=${SLACK}`, SLACK);
  gone(`hook uses ${SLACK}`, SLACK);
});

test('ordinary text is untouched', () => {
  const ordinary = [
    'task-list',
    'skeleton',
    'risk-averse',
    'desk-lamp and kiosk-mode',
    '3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39',
    'commit 3f2a9c1 fixed the token parser',
    'Bearer of bad news',
    'Basic understanding of the key concepts',
    'Not logged in · Please run /login',
    'ERROR: unexpected status 401 Unauthorized: Incorrect API key provided: sk-inval*****.',
    '{"type":"result","is_error":true,"api_error_status":401,"session_id":"5bb3a278-2d14-4414-9417-03f6fe9c9623"}',
    '{"input_tokens":0,"cache_creation_input_tokens":0,"output_tokens":0}',
    'the primary key of the table is id',
    'https://platform.openai.com/account/api-keys',
    'sort by key, then by token count',
  ];
  for (const t of ordinary) assert.equal(redact(t), t);
});

test('redaction is idempotent', () => {
  const input = `ANTHROPIC_API_KEY=${ANT} https://u:p@h.example Authorization: Bearer abc123DEF456ghi789 {"password":"x"} ${JWT}`;
  const once = redact(input);
  assert.equal(redact(once), once);
});

test('redactDeep walks JSON values: strings, and values under secret-looking keys', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const out = redactDeep({
    env: { ANTHROPIC_API_KEY: 'short', PATH: '/usr/bin', PIN_PASSWORD: 1234 },
    argv: ['claude', '-p', `--key=${ANT}`],
    note: `token ${GHP}`,
    apiKey: 'k',
    count: 3,
    ok: true,
    none: null,
    cyclic,
  }) as Record<string, any>;
  assert.deepEqual(out.env, { ANTHROPIC_API_KEY: REDACTED, PATH: '/usr/bin', PIN_PASSWORD: REDACTED });
  assert.equal(out.argv[2], `--key=${REDACTED}`);
  assert.equal(out.note, `token ${REDACTED}`);
  assert.equal(out.apiKey, REDACTED);
  assert.equal(out.count, 3);
  assert.equal(out.ok, true);
  assert.equal(out.none, null);
  assert.equal(out.cyclic.self, '[Circular]');
});

test('pathological inputs finish (linear regexes)', { timeout: 20_000 }, () => {
  const inputs = [
    'a.'.repeat(200_000),
    'a_'.repeat(200_000) + '=',
    'https://' + 'a'.repeat(300_000),
    'https://a:' + 'b'.repeat(300_000),
    '-----BEGIN PRIVATE KEY-----' + ' x'.repeat(100_000),
    'Bearer ' + 'a'.repeat(300_000),
    '"' + 'x_'.repeat(100_000) + 'token": "' + 'v'.repeat(100_000),
    'eyJ' + 'a'.repeat(100_000) + '.' + 'b'.repeat(100_000),
  ];
  for (const s of inputs) assert.equal(typeof redact(s), 'string');
});

test("each rule's hint is true of every text its regex matches (the hint only spares compiling the regex)", () => {
  // the samples above (each line of this file, and the file whole) and the agents' real output in the fixtures
  const self = fs.readFileSync(new URL(import.meta.url.replace('/build/test/', '/test/').replace(/\.js$/, '.ts')), 'utf8');
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'agents');
  // and one sample each of what the lines above build at run time (keys made with repeat, PEM bodies)
  const built = [
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${'QUJD'.repeat(17)}\nQUJD==\n-----END OPENSSH PRIVATE KEY-----`,
    `${'QUJD'.repeat(16)}\n`,
    'the tool said {\\"api_key\\": \\"abc123secret\\"}',
    'X-Auth-Token: 9f8e7d6c5b4a',
    'x-goog-api-key: AIzaSyA1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q',
    `push with ${GHP} and ${PAT}`,
    `//registry.npmjs.org/:_authToken=npm_${'a1B2c3'.repeat(6)}`,
    `HF_TOKEN hf_${'aBcDeFgHiJ'.repeat(3)}`,
  ];
  const texts = [self, ...self.split('\n'), ...built, ...fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))];
  const everMatched = new Set<string>();
  for (const t of texts) {
    const { matched, missed } = hintMisses(t);
    for (const m of matched) everMatched.add(m);
    assert.deepEqual(missed, [], `hint false for a match in: ${t.slice(0, 200)}`);
  }
  // no rule passes only for want of a sample
  assert.deepEqual(REDACTION_RULES.filter((r) => !everMatched.has(r)), []);
});
