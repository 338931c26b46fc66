import { invalidInput } from '../../../domain/errors.ts';

/** The schemes @kurrent/kurrentdb-client 1.3 and its native bridge both accept, each also with `+discover`. */
export const KURRENTDB_CONNECTION_STRING = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//;

/** Short, so an unreachable or hung server is a clear error in seconds rather than a hung request. */
export const DEFAULT_DEADLINE_MS = 5000;

export interface KurrentDbConnection {
  /** What the client is given: our deadline unless one is set, `esdb` spelled `kurrentdb`. */
  readonly connectionString: string;
  /** The connection string without credentials, for messages. */
  readonly endpoint: string;
  /** The deadline of every call the adapter makes, reads included (the client applies its own to appends only). */
  readonly deadlineMs: number;
}

export function kurrentDbConnection(setting: string): KurrentDbConnection {
  if (!KURRENTDB_CONNECTION_STRING.test(setting)) {
    throw invalidInput(
      `not a KurrentDB connection string: ${setting.split(':')[0]}:... (kurrentdb://, kurrent://, kdb:// or esdb://)`,
    );
  }
  // The client prints a deprecation warning to stdout for esdb://, outside passthru's structured log.
  const spelled = setting.replace(/^esdb/, 'kurrentdb');
  const endpoint = spelled.replace(/\/\/[^@/]*@/, '//');
  const asked = /[?&]defaultDeadline=([^&]*)/i.exec(spelled)?.[1];
  if (asked !== undefined && !/^[1-9]\d{0,8}$/.test(asked)) {
    throw invalidInput(
      `defaultDeadline in the KurrentDB connection string must be milliseconds, not "${asked}" (${endpoint})`,
    );
  }
  const deadlineMs = asked === undefined ? DEFAULT_DEADLINE_MS : Number(asked);
  const connectionString =
    asked === undefined ? `${spelled}${spelled.includes('?') ? '&' : '?'}defaultDeadline=${deadlineMs}` : spelled;
  return { connectionString, endpoint, deadlineMs };
}
