import type { RpcStruct } from '../values.ts';

/** The classes passthru has events for, by the lower-case names XAPI's events carry. */
export const EVENT_CLASSES = ['pci', 'pgpu', 'host', 'pool'] as const;
export type EventClass = (typeof EVENT_CLASSES)[number];

/**
 * One object as event.from shows it: its class, reference and record now,
 * made only when asked for, since most answers show one device of many.
 */
export interface XapiObject {
  readonly cls: EventClass;
  readonly ref: string;
  snapshot(): RpcStruct | Promise<RpcStruct>;
}

/**
 * Where a watcher is: the store position it has seen up to, and the last
 * event.inject it has seen, the two halves of XAPI's token.
 */
export interface Stamp {
  readonly position: number;
  readonly injection: number;
}

/** An event as event.from answers it (a type, not an interface, so it is an RpcValue). */
export type XapiEvent = {
  readonly id: string;
  readonly timestamp: string;
  readonly class: EventClass;
  readonly operation: 'add' | 'mod' | 'del';
  readonly ref: string;
  readonly snapshot: RpcStruct;
};
