import type { FastifyRequest } from 'fastify';

/**
 * What a request does, for its log line: a read is logged at debug, a change
 * at info, and a wait (a long poll, a stream) is slow by design, never a
 * slow request.
 */
export type RequestKind = 'read' | 'change' | 'wait';

export interface RequestMark {
  readonly kind: RequestKind;
  /** Fields the request's line carries: for an RPC, which method, and the XAPI error it answered with. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Answered with a refusal the status does not show: XAPI answers its failures with a 200. */
  readonly refused?: boolean;
}

/** A GET or a HEAD only reads: the token check asks the read-only role of it, and its log line is a read's. */
export const isReadMethod = (method: string) => method === 'GET' || method === 'HEAD';

const marks = new WeakMap<FastifyRequest, RequestMark>();

/** Says what the request does, where its HTTP method does not tell: every RPC is a POST, and a stream a GET. */
export function markRequest(request: FastifyRequest, mark: RequestMark): void {
  marks.set(request, mark);
}

export function requestMark(request: FastifyRequest): RequestMark {
  return marks.get(request) ?? { kind: isReadMethod(request.method) ? 'read' : 'change' };
}
