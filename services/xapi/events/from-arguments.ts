import { fieldTypeError, XapiFailure } from '../errors.ts';
import { asText, type RpcValue } from '../values.ts';
import type { EventClass } from './types.ts';

export type Subscriptions = (cls: EventClass, ref: string) => boolean;

/**
 * event.from's `classes`, as XAPI reads them: `*` for everything, a class
 * name in any case, or `class/ref` for one object. Names of classes passthru
 * does not serve are allowed, and select nothing.
 */
export function parseSubscriptions(classes: RpcValue): Subscriptions {
  if (!Array.isArray(classes)) throw fieldTypeError('classes');
  const matchers = (classes as readonly RpcValue[]).map((entry): Subscriptions => {
    if (typeof entry !== 'string') throw fieldTypeError('classes');
    if (entry === '*') return () => true;
    const slash = entry.indexOf('/');
    const cls = (slash < 0 ? entry : entry.slice(0, slash)).toLowerCase();
    if (slash < 0) return (objectClass) => objectClass === cls;
    const only = entry.slice(slash + 1);
    if (only.includes('/')) throw new XapiFailure('EVENT_SUBSCRIPTION_PARSE_FAILURE', [asText(entry)]);
    return (objectClass, ref) => objectClass === cls && ref === only;
  });
  return (cls, ref) => matchers.some((matches) => matches(cls, ref));
}

/** event.from's timeout in seconds: XAPI's float, or a number as text, as some XML-RPC clients send integers. */
export function parseTimeout(timeout: RpcValue): number {
  const seconds = typeof timeout === 'string' && timeout.trim() !== '' ? Number(timeout) : timeout;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw fieldTypeError('timeout');
  return Math.min(seconds, 86_400);
}
