import { PassthruError } from '../../domain/errors.ts';

/** An XAPI failure: a code and its string parameters, the ErrorDescription on the wire. */
export class XapiFailure extends Error {
  constructor(
    readonly code: string,
    readonly params: readonly string[],
  ) {
    super(`${code} ${params.join(' ')}`);
    this.name = 'XapiFailure';
  }

  get description(): string[] {
    return [this.code, ...this.params];
  }
}

export type XapiClass = 'PCI' | 'PGPU' | 'host' | 'pool' | 'session';

export const handleInvalid = (cls: XapiClass, ref: string) => new XapiFailure('HANDLE_INVALID', [cls, ref]);
export const uuidInvalid = (cls: XapiClass, uuid: string) => new XapiFailure('UUID_INVALID', [cls, uuid]);
export const methodUnknown = (name: string) => new XapiFailure('MESSAGE_METHOD_UNKNOWN', [name]);
export const parameterCountMismatch = (method: string, expected: number, received: number) =>
  new XapiFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', [method, String(expected), String(received)]);
export const sessionInvalid = (ref: string) => new XapiFailure('SESSION_INVALID', [ref]);
export const authenticationFailed = (user: string, message: string) =>
  new XapiFailure('SESSION_AUTHENTICATION_FAILED', [user, message]);
/** As XAPI denies a call its session's roles lack: the permission is the call's name in lower case. */
export const rbacPermissionDenied = (method: string, roles: readonly string[]) =>
  new XapiFailure('RBAC_PERMISSION_DENIED', [
    method.toLowerCase(),
    `No permission in user session. (Roles with this permission: ${roles.join(', ')})`,
  ]);
export const fieldTypeError = (field: string) => new XapiFailure('FIELD_TYPE_ERROR', [field]);
export const internalError = (detail: string) => new XapiFailure('INTERNAL_ERROR', [detail]);

/**
 * Domain errors keep their detail, as XAPI's INTERNAL_ERROR does (a failed
 * xen-cmdline is already recorded by the command handler); anything else
 * is unexpected, and its internals stay in the log.
 */
export function failureOf(error: unknown): { failure: XapiFailure; unexpected: boolean } {
  if (error instanceof XapiFailure) return { failure: error, unexpected: false };
  if (error instanceof PassthruError) {
    return { failure: refusalFailure(error) ?? internalError(error.message), unexpected: false };
  }
  return { failure: internalError('the service failed unexpectedly; the log has the details'), unexpected: true };
}

/**
 * A refused hide or unhide (a protected device, a device a guest holds, a hide
 * list the kernel rejects), with the code XAPI gives its own refusals (XAPI lets the system display go).
 */
function refusalFailure(error: PassthruError): XapiFailure | null {
  if (error.kind !== 'conflict') return null;
  const { reason, subject } = error.details;
  // Refused for the hide list as a whole, not for the device: xapi's own refusal, its reason saying how to repair.
  if (
    reason === 'hide_list_rejected' ||
    reason === 'hidden_by_bridge' ||
    reason === 'command_line_too_long' ||
    reason === 'device_changed'
  ) {
    return new XapiFailure('OPERATION_NOT_ALLOWED', [error.message]);
  }
  if (typeof subject !== 'string') return null;
  switch (reason) {
    case 'boot_device':
      return new XapiFailure('BOOT_DEVICE_PASSTHROUGH_DISALLOWED', [subject]);
    case 'management_interface':
      return new XapiFailure('PIF_IS_MANAGEMENT_INTERFACE', [subject]);
    case 'local_sr':
    case 'assigned':
      return new XapiFailure('OPERATION_NOT_ALLOWED', [subject]);
    default:
      return null;
  }
}

/**
 * A request that is no RPC call at all, malformed (`parse`) or not shaped as
 * one (`invalid`): answered with the transport's own fault, not an XAPI failure.
 */
export class MalformedRequest extends Error {
  constructor(
    readonly kind: 'parse' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'MalformedRequest';
  }

  /** The codes XML-RPC (xmlrpc-epi's fault codes) and JSON-RPC 2.0 share. */
  get faultCode(): number {
    return this.kind === 'parse' ? -32700 : -32600;
  }
}

export interface TransportFault {
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly unexpected: boolean;
}

/**
 * What to answer, in the transport's own format, for an error raised outside
 * any call: fastify's 4xx (size, media type) keep their status; anything else
 * is a 500 whose internals stay in the log.
 */
export function transportFault(error: Error & { statusCode?: number }): TransportFault {
  if (error.statusCode !== undefined && error.statusCode < 500) {
    return { status: error.statusCode, code: -32600, message: error.message, unexpected: false };
  }
  return {
    status: 500,
    code: -32603,
    message: 'the service failed unexpectedly; the log has the details',
    unexpected: true,
  };
}
