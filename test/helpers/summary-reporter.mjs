// Prints the plain closing line CI reads: "N passed, N failed" (and skipped, if any).
export default async function* summary(source) {
  let passed = 0, failed = 0, skipped = 0;
  for await (const ev of source) {
    if (ev.type === 'test:pass' && ev.data.details?.type !== 'suite') {
      if (ev.data.skip || ev.data.todo) skipped++;
      else passed++;
    } else if (ev.type === 'test:fail' && ev.data.details?.type !== 'suite') {
      failed++;
    }
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
