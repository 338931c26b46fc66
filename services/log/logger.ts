import pino, { type Logger } from 'pino';
import type { LogFormat } from '../settings/config.ts';
import { prettySink, type LineSink } from './pretty-lines.ts';

export interface LogSettings {
  readonly logLevel: string;
  /** Null: pretty on a terminal, else JSON. */
  readonly logFormat: LogFormat | null;
}

export interface Terminal {
  /** Where the lines go: standard output, a journal or a pipe. */
  readonly sink: LineSink;
  readonly isTerminal: boolean;
  readonly color: boolean;
}

export const chooseLogFormat = (asked: LogFormat | null, isTerminal: boolean): LogFormat =>
  asked ?? (isTerminal ? 'pretty' : 'json');

/** The service's one logger: JSON for machines (journal, docker, a file), lines for a person on a terminal. */
export function createLogger(settings: LogSettings, out: Terminal = standardOutput()): Logger {
  const format = chooseLogFormat(settings.logFormat, out.isTerminal);
  const options = { name: 'passthru', level: settings.logLevel };
  return pino(options, format === 'pretty' ? prettySink(out.sink, out.color) : out.sink);
}

function standardOutput(): Terminal {
  const isTerminal = process.stdout.isTTY === true;
  return {
    // What `pino()` writes to by default: fd 1, buffered, flushed at exit.
    sink: pino.destination({ dest: 1, sync: false }),
    isTerminal,
    color: isTerminal && !process.env.NO_COLOR,
  };
}
