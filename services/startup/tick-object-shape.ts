import { AsyncResource } from 'node:async_hooks';

/** Objects kept for the life of the process, for their V8 maps alone. */
const held: object[] = [];

/**
 * Holds one object shaped as Node 20's `process.nextTick` shapes its tick
 * objects: a literal whose first keys are computed (the async id symbols).
 * V8 keeps the maps such keys are defined on only while an object uses them.
 * A full collection that runs while no tick is queued frees them, the next
 * tick makes new ones, and V8 then marks those keys megamorphic for good
 * (`Runtime_DefineKeyedOwnPropertyInLiteral` goes from one map straight to
 * megamorphic). From then on every nextTick defines its keys in V8's runtime,
 * about 0.3 µs more a call, some eight calls a status read: about 3 µs of a
 * read's 20, in the starts where a collection happened to fall in such a moment.
 * The ids are Node's own, doubles as a tick's are (read from a Float64Array):
 * V8 gives a field holding a double another map than one holding a small integer.
 */
export function keepTickObjectShape(): void {
  const resource = new AsyncResource('passthru.tick-object-shape') as unknown as Record<symbol, number>;
  const named = (description: string) =>
    Object.getOwnPropertySymbols(resource).find((symbol) => symbol.description === description);
  const asyncId = named('async_id_symbol');
  const triggerId = named('trigger_async_id_symbol');
  // A Node that names them otherwise shapes its ticks otherwise too: no object here could hold their maps.
  if (asyncId === undefined || triggerId === undefined) return;
  held.push({
    [asyncId]: resource[asyncId],
    [triggerId]: resource[triggerId],
    callback: keepTickObjectShape,
    args: undefined,
  });
}
