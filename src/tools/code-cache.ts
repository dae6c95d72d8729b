// The layout of a bundle's V8 code cache file, read by bin/agent-runner.js: the bundle's first line (it names
// the build, which V8 would check by length only), then V8's cache data twice over. V8 trusts a cache whose
// header matches, and a damaged one crashes the process; the bin hands it over only when both copies agree, a
// compare that costs far less at start than loading node:v8 to set V8's own checksum flag (docs/performance.md).
// What it cannot tell: the same damage in both copies, which a write of data already damaged in memory would make
// (a review saw V8 crash, or spin, on such a cache); V8's checksum, made inside createCachedData, would catch that
// one. Damage on disk or in a copy hits one copy, and the bundle next to it is no better guarded.

/** The bytes of `<bundle>.v8cache` for this bundle source and V8's cache data of it. */
export function codeCacheFile(source: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(source.slice(0, source.indexOf('\n') + 1)), data, data]);
}
