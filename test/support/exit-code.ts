import type { ExecFileException } from 'node:child_process';

/**
 * The exit code of a finished child. A child killed by a signal (a timeout, a
 * crash) has none, and must not read as a clean exit 0: that is an error here.
 */
export function exitCode(error: ExecFileException | null, stderr = ''): number {
  if (error === null) return 0;
  if (typeof error.code === 'number') return error.code;
  throw new Error(
    error.signal ? `the child was killed by ${error.signal}: ${stderr}` : `the child did not run: ${error.message}`,
  );
}
