import type { RpcValue } from './values.ts';

/**
 * An encoder that encodes each result object once, however many calls it
 * answers: the thousand watchers woken by one change share one event.from
 * answer. A result is never changed once made, so its text stays true.
 */
export function encodedOnce(encode: (value: RpcValue) => string): (value: RpcValue) => string {
  const texts = new WeakMap<object, string>();
  return (value) => {
    if (value === null || typeof value !== 'object') return encode(value);
    let text = texts.get(value);
    if (text === undefined) texts.set(value, (text = encode(value)));
    return text;
  };
}
