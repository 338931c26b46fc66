import { execFile } from 'node:child_process';

export interface ProgramResult {
  readonly stdout: string;
}

export class ProgramFailure extends Error {
  constructor(
    message: string,
    readonly reason: 'exit' | 'timeout' | 'missing' | 'output',
    /** What the program printed on standard error, when it exited. */
    readonly stderr = '',
  ) {
    super(message);
  }
}

const MAX_OUTPUT = 64 * 1024;

/** Runs a program with an argument vector, never a shell, in bounded time and output. */
export function runProgram(program: string, args: readonly string[], timeoutMs: number): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8', windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout });
        const shown = `${program} ${args.join(' ')}`;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') {
          return reject(new ProgramFailure(`${shown}: cannot run (${code})`, 'missing'));
        }
        if ((error as { killed?: boolean }).killed) {
          return reject(new ProgramFailure(`${shown}: no answer within ${timeoutMs} ms, killed`, 'timeout'));
        }
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          return reject(new ProgramFailure(`${shown}: printed more than ${MAX_OUTPUT} bytes`, 'output'));
        }
        const said = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300);
        reject(new ProgramFailure(`${shown}: exited with ${code}${said ? `: ${said}` : ''}`, 'exit', stderr));
      },
    );
  });
}
