import { writeFile } from 'node:fs/promises';
import { hostFailure, type PassthruError } from '../../domain/errors.ts';
import { ProgramFailure, runProgram } from './run-program.ts';

/** A write the kernel refused, with its errno name (ENODEV, ENOENT...). */
export interface SysfsRefusal {
  readonly error: PassthruError;
  readonly code: string;
}

/**
 * Writes a value to a sysfs file, the kernel acting on it as the write
 * returns. On a real host that is the file itself; `writer` (PASSTHRU_SYSFS_WRITER)
 * names a program run as `writer FILE VALUE` in its place, for a host whose
 * sysfs is a copy no kernel acts on. Answers the refusal instead of throwing it.
 */
export async function writeSysfs(
  writer: string | null,
  file: string,
  value: string,
  timeoutMs: number,
): Promise<SysfsRefusal | null> {
  try {
    if (writer === null) await writeFile(file, value);
    else await runProgram(writer, [file, value], timeoutMs);
    return null;
  } catch (error) {
    const code =
      error instanceof ProgramFailure
        ? (/\b(E[A-Z]+)\b/.exec(error.stderr)?.[1] ?? error.reason)
        : ((error as NodeJS.ErrnoException).code ?? 'EIO');
    return { code, error: hostFailure(`writing ${value} to ${file} failed (${code})`, { file, code }) };
  }
}
