import type { XapiFailure } from './errors.ts';
import { encodedOnce } from './encoded-once.ts';
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

/** A request without `jsonrpc` is JSON-RPC 1.0, and is answered in 1.0's form: `result` and `error` both present, one null. */
export type JsonRpcVersion = '1.0' | '2.0';

export function versionOf(body: unknown): JsonRpcVersion {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !('jsonrpc' in body) ? '1.0' : '2.0';
}

export const jsonRpcResult = (id: JsonRpcId, result: RpcValue, version: JsonRpcVersion = '2.0') =>
  version === '1.0' ? { result, error: null, id } : { jsonrpc: VERSION, result, id };

const resultJson = encodedOnce((result) => JSON.stringify(result));

/** An answer's text, as JSON.stringify writes it, but with its result encoded once for every call it answers. */
export function jsonRpcText(answer: Readonly<Record<string, unknown>>): string {
  const members = Object.entries(answer)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${JSON.stringify(key)}:${key === 'result' ? resultJson(value as RpcValue) : JSON.stringify(value)}`,
    );
  return `{${members.join(',')}}`;
}

/**
 * XAPI's encoding of a failure: in 2.0 the code as the message, its
 * parameters as the data; in 1.0 the ErrorDescription list itself.
 */
export const jsonRpcFailure = (id: JsonRpcId, failure: XapiFailure, version: JsonRpcVersion = '2.0') =>
  version === '1.0'
    ? { result: null, error: failure.description, id }
    : { jsonrpc: VERSION, error: { code: XAPI_ERROR_CODE, message: failure.code, data: [...failure.params] }, id };

export const jsonRpcError = (id: JsonRpcId, code: number, message: string, version: JsonRpcVersion = '2.0') =>
  version === '1.0'
    ? { result: null, error: { code, message }, id }
    : { jsonrpc: VERSION, error: { code, message }, id };
