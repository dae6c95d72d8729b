// Run an async step over items with at most `limit` of them in flight: a monitor polling a thousand pods
// must not start a thousand kubectl (or ssh) processes at once.

/** Resolves when every item's step has settled; a step's rejection is its own business (catch inside). */
export async function eachLimited<T>(items: readonly T[], limit: number, step: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await step(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
