/** Tells scripts/run-tests.js that a suite was not run and why: it is named and counted in the closing line. */
export function skippedSuite(name: string, reason: string): void {
  process.stdout.write(`\nskipped suite: ${name} (${reason})\n`);
}
