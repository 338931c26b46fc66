import { XapiFailure } from '../errors.ts';
import { asText, type RpcValue } from '../values.ts';
import type { Stamp } from './types.ts';

const TOKEN = /^(\d{1,20}),(\d{1,20})$/;

export const tokenParseFailure = (token: RpcValue) =>
  new XapiFailure('EVENT_FROM_TOKEN_PARSE_FAILURE', [asText(token)]);

/** XAPI's token, zero-padded so tokens compare as strings too; the empty token is the beginning (null). */
export function formatToken({ position, injection }: Stamp): string {
  return `${String(position).padStart(20, '0')},${String(injection).padStart(20, '0')}`;
}

export function parseToken(token: RpcValue): Stamp | null {
  if (token === '') return null;
  const match = typeof token === 'string' ? TOKEN.exec(token) : null;
  const position = Number(match?.[1]);
  const injection = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(position) || !Number.isSafeInteger(injection)) throw tokenParseFailure(token);
  return { position, injection };
}
