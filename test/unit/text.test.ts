// The text helpers (src/util/text.ts): each makes one kind of line, and the differences between them matter to
// their callers (git's stderr often starts with a blank line; a reason must not end mid-word without a mark).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clip, collapseWhitespace, errorMessage, firstLine, firstNonBlankLine, terminalSafe } from '../../src/util/text.js';

test('firstLine is the text before the first newline, blank or not; firstNonBlankLine skips blank lines and trims', () => {
  assert.equal(firstLine('one\ntwo'), 'one');
  assert.equal(firstLine('no newline'), 'no newline');
  assert.equal(firstLine('\nsecond'), '');
  assert.equal(firstNonBlankLine('\n  \n  fatal: bad  \nmore'), 'fatal: bad');
  assert.equal(firstNonBlankLine(' \n\t\n'), '');
});

test('collapseWhitespace puts a multi-line text on one line; clip cuts to max with a mark only when too long', () => {
  assert.equal(collapseWhitespace('  a\n\tb   c\r\n'), 'a b c');
  assert.equal(clip('abcdef', 6), 'abcdef');
  assert.equal(clip('abcdefg', 6), 'abcde…');
  assert.equal(clip('abcdefg', 6).length, 6);
});

test('errorMessage: an Error gives its message, anything else thrown gives its string', () => {
  assert.equal(errorMessage(new Error('boom\nstack-ish')), 'boom\nstack-ish');
  assert.equal(errorMessage('plain'), 'plain');
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(null), 'null');
});

test('terminalSafe: escape sequences and control characters go, newlines, tabs and the words stay', () => {
  assert.equal(terminalSafe('a\x1b]0;title\x07b'), 'ab');
  assert.equal(terminalSafe('a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b'), 'alinkb');
  assert.equal(terminalSafe('\x1b[2J\x1b[1;31mred\x1b[0m'), 'red');
  assert.equal(terminalSafe('\x9b31mc1\x1bPdcs\x1b\\'), 'c1');
  assert.equal(terminalSafe('x\r\by\x00\x7f\tz\nw'), 'xy\tz\nw');
  assert.equal(terminalSafe('plain, ünïcode ✓'), 'plain, ünïcode ✓');
});
