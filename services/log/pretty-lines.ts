/** Where log lines go: a file descriptor's stream, or any object that takes strings. */
export interface LineSink {
  write(text: string): unknown;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[35m' };
const RESET = '\x1b[0m';
// What every line of pino carries, shown by the line's own layout or not worth a person's eye.
const LAYOUT_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'err']);

/**
 * One pino JSON line as a person reads it: time, level, message, then the
 * other fields as key=value, and an error's stack on the lines below.
 */
export function prettyLine(json: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '--:--:--.---';
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  const paint = color && COLORS[level] ? (text: string) => `${COLORS[level]}${text}${RESET}` : (text: string) => text;
  const fields = Object.entries(entry)
    .filter(([key]) => !LAYOUT_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const head = [time, paint(label), String(entry.msg ?? ''), ...fields].join(' ');
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  const stack = typeof err?.stack === 'string' ? err.stack : typeof err?.message === 'string' ? err.message : '';
  return `${head}\n${stack ? `${stack.replace(/^/gm, '    ')}\n` : ''}`;
}

/** A pino destination that writes each line pretty to `sink`. */
export function prettySink(sink: LineSink, color: boolean): LineSink {
  return { write: (json: string) => sink.write(prettyLine(json.trimEnd(), color)) };
}
