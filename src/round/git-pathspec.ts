// Pathspecs: which of the work tree a git call may touch (never the operator's own files).
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Pathspec for "the whole work tree except these absolute paths". Paths outside the work tree are
 * dropped: git refuses them, and nothing there can be swept anyway. `:/` keeps the spec from being
 * excludes only, which some git versions refuse.
 */
export function wholeTreeExcept(top: string, exclude: string[]): string[] {
  // the work tree itself (or a dir holding it) excluded: nothing may be swept ('.' would not say so)
  return [':/', ...excludedWithin(top, exclude).map((rel) => (rel === '' ? ':(top,exclude)*' : `:(top,exclude,literal)${rel}`))];
}

/**
 * The paths of `exclude` that lie in the work tree, relative to its top as git writes paths ('/' between names,
 * symlinks resolved); '' when one of them is the top or holds it.
 */
export function excludedWithin(top: string, exclude: string[]): string[] {
  const out: string[] = [];
  for (const abs of exclude) {
    const real = realish(abs);
    if (within(top, real)) out.push('');
    else if (within(real, top)) out.push(path.relative(top, real).split(path.sep).join('/'));
  }
  return out;
}

/** `inner` is `outer` or below it */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/** realpath of a path that may not exist (yet): resolve the nearest existing ancestor. */
function realish(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realish(parent), path.basename(abs));
  }
}

/** A path from the top of the work tree, taken literally (no glob, no magic). */
export const literal = (p: string): string => `:(top,literal)${p}`;
