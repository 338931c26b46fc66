import { setFlagsFromString } from 'node:v8';

/**
 * V8 moves an allocation site to the old generation once most of what it
 * makes survives. A thousand watchers held open make fastify's request
 * objects look long-lived, so every short read after them was made old and
 * left to full mark-compacts: status reads fell to 0.31-0.44x of bare
 * fastify with 1,000 watchers connected, and are 0.48-0.58x without
 * pretenuring. The flag is read at each collection, so setting it at start works.
 */
export function keepShortLivedObjectsYoung(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
