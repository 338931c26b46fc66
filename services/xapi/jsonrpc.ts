import type { XapiFailure } from './errors.ts';
import type { RpcValue } from './values.ts';

export type JsonRpcId = string | number | null;

// XAPI does not use error.code; it is never 0 because some clients read 0 as "no error".
const XAPI_ERROR_CODE = 1;

/** The id to answer with, where a request too broken to read still has a usable one. */
export function idOf(body: unknown): JsonRpcId {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : null;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

const VERSION = '2.0' as const;

export const jsonRpcResult = (id: JsonRpcId, result: RpcValue) => ({ jsonrpc: VERSION, result, id });

/** XAPI's encoding of a failure: the code as the message, its parameters as the data. */
export const jsonRpcFailure = (id: JsonRpcId, failure: XapiFailure) => ({
  jsonrpc: VERSION,
  error: { code: XAPI_ERROR_CODE, message: failure.code, data: [...failure.params] },
  id,
});

export const jsonRpcError = (id: JsonRpcId, code: number, message: string) => ({
  jsonrpc: VERSION,
  error: { code, message },
  id,
});
