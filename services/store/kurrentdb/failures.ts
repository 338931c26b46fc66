import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  UnknownError,
} from '@kurrent/kurrentdb-client';
import { NoAnswerError } from './deadline.ts';

const UNAUTHENTICATED = 16;

/** The client's errors often carry only a gRPC status or their class name; say what each means for an operator. */
export function describeFailure(error: Error, deadlineMs: number): string {
  if (error instanceof NoAnswerError || error instanceof DeadlineExceededError || error instanceof TimeoutError) {
    return `no answer within the deadline (${deadlineMs} ms, defaultDeadline in the connection string)`;
  }
  if (error instanceof AccessDeniedError) {
    return error.code === UNAUTHENTICATED || /authenticat|credential/i.test(error.message)
      ? 'the server refused the credentials: check the user name and password in the connection string (user:password@host)'
      : "access denied: the connection string's user may not do this; passthru needs to read $all (a member of $ops or $admins, or the $all read ACL) and to read and write the pci-*, host-* and tokens-* streams";
  }
  if (error instanceof NotLeaderError) {
    return 'the node is not the leader and writes need the leader: list every node of the cluster (or use +discover) and keep nodePreference=leader';
  }
  if (error instanceof UnavailableError) {
    return 'the server is unavailable (not running, wrong address, or a TLS mismatch: tls=false for an insecure node)';
  }
  if (error instanceof UnknownError && !error.message) return 'the server failed the call without saying why';
  return error.message || error.name;
}

/** Failures after which an append may or may not have been written. */
export const leavesAppendUnknown = (error: Error): boolean =>
  error instanceof NoAnswerError ||
  error instanceof DeadlineExceededError ||
  error instanceof TimeoutError ||
  error instanceof UnavailableError ||
  error instanceof CancelledError ||
  error instanceof UnknownError;
