// 4. peek on a big repository: 100,000 tracked files, thousands modified and untracked. Counts git
// processes per peek and times it against one bare `git status --porcelain`; the round's aftercare
// on the same tree is measured too (it reads the same status).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, CLI, benchEnv, gitCounter, paired, pathWith, timeSync } from '../lib/measure.js';
import { git, initRepo, writeConfig } from '../lib/project.js';
import { failed, fmt, notMeasured, verdict, type BenchOptions, type Row } from '../lib/row.js';
import { peekBuilt } from './cli.js';

interface Shape {
  files: number;
  modified: number;
  untracked: number;
}

const FULL: Shape = { files: 100_000, modified: 3_000, untracked: 2_000 };
const QUICK: Shape = { files: 5_000, modified: 300, untracked: 200 };
const PER_DIR = 1000;

/** Generated once per shape and kept under build/bench-cache/ (the marker says it is complete). */
function bigRepoDir(s: Shape, log: (m: string) => void): { dir: string; stateDir: string } {
  const dir = path.join(CACHE_DIR, `repo-${s.files}`);
  const stateDir = path.join(CACHE_DIR, `repo-${s.files}-state`);
  const marker = path.join(CACHE_DIR, `repo-${s.files}.complete`);
  if (fs.existsSync(marker) && fs.existsSync(dir)) return { dir, stateDir };
  log(`big repo: generating ${s.files} files in ${path.relative(process.cwd(), dir)} (cached for next time)`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  initRepo(dir);
  const file = (i: number) => path.join(dir, `d${String(Math.floor(i / PER_DIR)).padStart(3, '0')}`, `f${i}.txt`);
  for (let i = 0; i < s.files; i++) {
    if (i % PER_DIR === 0) fs.mkdirSync(path.dirname(file(i)), { recursive: true });
    fs.writeFileSync(file(i), `file ${i}\nsome content to make it a little more than nothing\n`);
  }
  writeConfig({ command: ['true'], dir, stateDir });
  // the agent's dirty tree must survive every round the bench runs on it
  fs.appendFileSync(path.join(dir, 'agent-runner.toml'), '\n[vcs]\ndirty_action = "ignore"\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'generated');
  const step = Math.floor(s.files / s.modified);
  for (let k = 0; k < s.modified; k++) fs.appendFileSync(file(k * step), 'modified\n');
  // untracked files among tracked ones, so status lists each of them (not one directory line)
  for (let k = 0; k < s.untracked; k++) {
    const near = file((k * 7919) % s.files);
    fs.writeFileSync(path.join(path.dirname(near), `new-${k}.txt`), `untracked ${k}\n`);
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return { dir, stateDir };
}

export async function bigRepo(o: BenchOptions): Promise<Row[]> {
  const shape = o.quick ? QUICK : FULL;
  const n = o.quick ? 3 : 11;
  const rows: Row[] = [];
  const label = `${shape.files.toLocaleString('en')} files, ${shape.modified.toLocaleString('en')} modified, ${shape.untracked.toLocaleString('en')} untracked`;
  let repo: { dir: string; stateDir: string };
  try {
    repo = bigRepoDir(shape, o.log);
  } catch (e) {
    return [failed(4, `big repo (${label})`, '–', e)];
  }
  const gitStatus = () => timeSync(['git', 'status', '--porcelain'], { cwd: repo.dir });

  if (!peekBuilt()) {
    rows.push(notMeasured(4, `\`peek --json\` on a big repo (${label})`, '≤ 1.3× git status; ≤ 2 git processes', 'src/cli/peek-cmd.ts does not exist yet', 'not built'));
  } else {
    try {
      const counter = gitCounter();
      timeSync([process.execPath, CLI, 'peek', '--json'], { cwd: repo.dir, env: benchEnv({ PATH: pathWith(counter.binDir) }), stdio: ['ignore', 'ignore', 'pipe'] });
      const gits = counter.count();
      fs.rmSync(counter.binDir, { recursive: true, force: true });
      o.log('big repo: peek vs git status');
      const r = paired(n, () => timeSync([process.execPath, CLI, 'peek', '--json'], { cwd: repo.dir }), gitStatus);
      const ratio = r.subject.median / r.floor.median;
      rows.push({
        section: 4,
        measure: `\`peek --json\` on a big repo (${label})`,
        value: fmt(r.subject, 'ms'),
        floor: `git status --porcelain: ${fmt(r.floor, 'ms')}`,
        vs: `${ratio.toFixed(2)}×`,
        target: '≤ 1.3×',
        verdict: verdict(ratio <= 1.3),
      });
      rows.push({
        section: 4,
        measure: 'git processes per peek (big repo)',
        value: String(gits),
        floor: '–',
        vs: '–',
        target: '≤ 2',
        verdict: verdict(gits <= 2),
      });
    } catch (e) {
      rows.push(failed(4, `\`peek --json\` on a big repo (${label})`, '≤ 1.3×', e));
    }
  }

  // the round reads the same status in its aftercare: what does the big tree cost it?
  try {
    o.log('big repo: round vs git status');
    const counter = gitCounter();
    timeSync([process.execPath, CLI, 'round'], { cwd: repo.dir, env: benchEnv({ PATH: pathWith(counter.binDir) }) });
    const gits = counter.count();
    fs.rmSync(counter.binDir, { recursive: true, force: true });
    const r = paired(Math.max(3, n >> 1), () => timeSync([process.execPath, CLI, 'round'], { cwd: repo.dir }), gitStatus);
    rows.push({
      section: 4,
      measure: `\`round\` (agent \`true\`) on the big repo`,
      value: fmt(r.subject, 'ms'),
      floor: `git status --porcelain: ${fmt(r.floor, 'ms')}`,
      vs: `${(r.subject.median / r.floor.median).toFixed(2)}×`,
      target: '–',
      verdict: '–',
      note: `${gits} git processes per round here; vcs.dirty_action = "ignore" so the tree stays as generated`,
    });
  } catch (e) {
    rows.push(failed(4, '`round` on the big repo', '–', e));
  }
  return rows;
}
