import { MaxAppendSizeExceededError, StreamDeletedError } from '@kurrent/kurrentdb-client';
import { NoAnswerError } from './deadline.ts';

/** What went wrong, in an operator's terms. */
type Failure =
  | 'no_answer'
  | 'credentials'
  | 'access'
  | 'not_leader'
  | 'unavailable'
  | 'cancelled'
  | 'deleted'
  | 'too_large'
  | 'unknown';

/** The client's command errors by their `type`. */
const BY_TYPE: Readonly<Record<string, Failure>> = {
  timeout: 'no_answer',
  'deadline-exceeded': 'no_answer',
  'access-denied': 'access',
  'not-leader': 'not_leader',
  unavailable: 'unavailable',
  cancelled: 'cancelled',
  'stream-deleted': 'deleted',
  'stream-tombstoned': 'deleted',
  'maximum-append-size-exceeded': 'too_large',
  'append-record-size-exceeded': 'too_large',
  'transaction-max-size-exceeded': 'too_large',
  unknown: 'unknown',
};

/** The native read bridge's errors by name: they carry no gRPC code. */
const BY_BRIDGE_NAME: Readonly<Record<string, Failure>> = {
  DeadlineExceededError: 'no_answer',
  AccessDeniedError: 'access',
  NotLeaderError: 'not_leader',
  UnavailableError: 'unavailable',
  StreamDeletedError: 'deleted',
  UnknownError: 'unknown',
};

/** gRPC status codes, for what the append path throws without converting it (a failed connection). */
const BY_CODE: Readonly<Record<number, Failure>> = {
  1: 'cancelled',
  4: 'no_answer',
  7: 'access',
  14: 'unavailable',
  16: 'credentials',
};

const UNAUTHENTICATED = 16;

function failureOf(error: Error): Failure | null {
  if (error instanceof NoAnswerError) return 'no_answer';
  const { code, type, _raw } = error as Error & { code?: unknown; type?: unknown; _raw?: { name?: unknown } };
  // Only the gRPC path keeps the code that tells refused credentials from denied access.
  if (code === UNAUTHENTICATED) return 'credentials';
  if (typeof type === 'string' && BY_TYPE[type]) return BY_TYPE[type];
  const name = typeof _raw?.name === 'string' ? _raw.name : error.name;
  return BY_BRIDGE_NAME[name] ?? (typeof code === 'number' ? (BY_CODE[code] ?? null) : null);
}

/** Whether the server refused the user, without saying whether for its credentials or its rights. */
export const isAccessDenied = (error: Error): boolean => failureOf(error) === 'access';

/** Whether the server refused the user, for either reason. */
export const isRefusal = (error: Error): boolean => failureOf(error) === 'credentials' || isAccessDenied(error);

/** The client's errors often carry only a gRPC status, their class or a bridge name; say what each means for an operator. */
export function describeFailure(error: Error, deadlineMs: number): string {
  const failure = failureOf(error);
  switch (failure) {
    case 'no_answer':
      return `no answer within the deadline (${deadlineMs} ms, defaultDeadline in the connection string)`;
    case 'credentials':
      return 'the server refused the credentials: check the user name and password in the connection string (user:password@host)';
    case 'access':
      return "access denied: the connection string's user may not do this; passthru needs to read $all (a member of $ops or $admins, or the $all read ACL) and to read and write the pci-*, host-* and tokens-* streams";
    case 'not_leader':
      return 'the node is not the leader and writes need the leader: list every node of the cluster (or use +discover) and keep nodePreference=leader';
    case 'unavailable':
      return 'the server is unavailable (not running, wrong address, or a TLS mismatch: tls=false for an insecure node)';
    case 'deleted': {
      const stream = error instanceof StreamDeletedError ? ` ${error.streamName}` : '';
      return `the stream${stream} was deleted for good (tombstoned) on the server: it can be neither read nor written again`;
    }
    case 'too_large': {
      const limit = error instanceof MaxAppendSizeExceededError ? ` (${error.maxAppendSize} bytes)` : '';
      return `the append is larger than the server's maximum append size${limit}`;
    }
  }
  if (failure === 'unknown' && !error.message) return 'the server failed the call without saying why';
  return error.message || error.name;
}

/** Failures after which an append may or may not have been written. */
export function leavesAppendUnknown(error: Error): boolean {
  const failure = failureOf(error);
  return failure === 'no_answer' || failure === 'unavailable' || failure === 'cancelled' || failure === 'unknown';
}
