// The filter-driver overrides (src/round/git-guard.ts): the repository's own drivers are emptied, the
// operator's (git-lfs in ~/.gitconfig) survive even when the repository redefines them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptiedDrivers, filterOverrides, guardEnv } from '../../src/round/git-guard.js';

const listing = (rows: Array<[string, string, string?]>): string =>
  rows.map(([scope, key, value]) => `${scope}\0${value === undefined ? key : `${key}\n${value}`}\0`).join('');

test('a driver the repository defines is emptied and made optional; one the operator defines keeps its value', () => {
  const out = filterOverrides(
    listing([
      ['global', 'filter.lfs.clean', 'git-lfs clean -- %f'],
      ['global', 'filter.lfs.required', 'true'],
      ['local', 'filter.lfs.clean', 'evil'],
      ['local', 'filter.Evil=X.smudge', 'evil'],
      ['local', 'filter.bare.process'],
      ['local', 'filter.evil.required', 'true'],
      ['command', 'filter.mine.clean', 'ok'],
      ['local', 'core.fsmonitor', 'not a filter key'],
    ]),
  );
  assert.deepEqual(out, [
    ['filter.lfs.clean', 'git-lfs clean -- %f'],
    ['filter.Evil=X.smudge', ''],
    ['filter.Evil=X.required', 'false'],
    ['filter.bare.process', ''],
    ['filter.bare.required', 'false'],
  ]);
  assert.deepEqual(filterOverrides(''), []);
});

test('the overrides go after any GIT_CONFIG_COUNT pairs the operator set', () => {
  const env: NodeJS.ProcessEnv = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_VALUE_0: 'c' };
  guardEnv(env, [['filter.x.clean', '']]);
  assert.equal(env.GIT_CONFIG_COUNT, '2');
  assert.equal(env.GIT_CONFIG_KEY_0, 'a.b');
  assert.equal(env.GIT_CONFIG_KEY_1, 'filter.x.clean');
  assert.equal(env.GIT_CONFIG_VALUE_1, '');
});

test('emptiedDrivers: the repository-defined drivers the guard empties, not the operator\'s nor the required switch', () => {
  const pairs = filterOverrides(
    ['local', 'filter.crypt.clean\ngit-crypt clean', 'local', 'filter.crypt.smudge\ngit-crypt smudge', 'local', 'filter.crypt.required\ntrue',
      'global', 'filter.lfs.clean\ngit-lfs clean -- %f', 'local', 'filter.lfs.clean\nevil'].join('\0') + '\0',
  );
  assert.deepEqual(emptiedDrivers(pairs), ['crypt'], 'lfs keeps the operator\'s value, so it is not emptied');
  assert.deepEqual(emptiedDrivers([]), []);
});
