import { execFile } from 'node:child_process';
import { exitCode } from './exit-code.ts';
import { BIN } from './service-process.ts';

/** How a run of the CLI ended, and what it wrote. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real CLI (`bin/passthru.js`) in a process of its own, as an operator runs it. */
export function runCli(
  args: readonly string[],
  options: {
    env: NodeJS.ProcessEnv;
    cwd?: string;
    /** A bound on a run that should end at once: killed past it. */ timeout?: number;
  },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], options, (error, stdout, stderr) => {
      try {
        resolve({ code: exitCode(error, stderr), stdout, stderr });
      } catch (failure) {
        reject(failure);
      }
    });
  });
}
