/** The commands that may have sent a change before Ctrl-C: the service carries out what it received. */
const CHANGES = new Set(['hide', 'unhide', 'repair-hide-list', 'import', 'reboot', 'token', 'rebuild']);

/**
 * How a command run in a terminal or a pipe ends when cut short: Ctrl-C says
 * so and exits 130 (128 + SIGINT, as a shell reports it); a reader that stops
 * reading (`passthru status | head -3`) ends it quietly, as nothing failed.
 */
export function endWhenCutShort(command: string): void {
  process.once('SIGINT', () => {
    const note = CHANGES.has(command)
      ? ': a change the service had already received is still made (passthru history ID shows it)'
      : '';
    process.stderr.write(`\npassthru ${command}: interrupted${note}\n`);
    process.exit(130);
  });
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}
