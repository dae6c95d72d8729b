// Captured runs of real agent CLIs (test/fixtures/agents/*.txt): `# exit_code: N` in the header, then the
// STDOUT and STDERR sections. The byte counts in the section headers were taken before paths were rewritten
// to $HOME/$WORK, so the markers delimit, not the counts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { FIXTURES_DIR } from './env.js';

const DIR = path.join(FIXTURES_DIR, 'agents');

export interface AgentFixture {
  /** the `# key: value` lines before the output */
  header: Record<string, string>;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** every captured run's file name (with .txt) */
export const AGENT_FIXTURE_FILES: string[] = fs.readdirSync(DIR).filter((f) => f.endsWith('.txt'));

/** name with or without .txt */
export function readAgentFixture(name: string): AgentFixture {
  const file = name.endsWith('.txt') ? name : `${name}.txt`;
  const raw = fs.readFileSync(path.join(DIR, file), 'utf8');
  const code = /^# exit_code: (\d+)/m.exec(raw);
  const body = /^===== STDOUT \(\d+ bytes\) =====\n([\s\S]*?)^===== STDERR \(\d+ bytes\) =====\n([\s\S]*?)^===== END =====/m.exec(raw);
  assert.ok(body, `${file}: not a fixture`);
  const header: Record<string, string> = {};
  for (const m of raw.slice(0, body.index).matchAll(/^# ([\w-]+): (.*)$/gm)) header[m[1]] = m[2];
  return { header, exitCode: code ? Number(code[1]) : null, stdout: body[1], stderr: body[2] };
}

/** the same as bytes, for the stream parser */
export function readAgentFixtureBytes(name: string): { stdout: Buffer; stderr: Buffer } {
  const f = readAgentFixture(name);
  return { stdout: Buffer.from(f.stdout), stderr: Buffer.from(f.stderr) };
}
