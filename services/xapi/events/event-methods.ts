import { handleInvalid } from '../errors.ts';
import type { MethodTable } from '../call.ts';
import type { Refs } from '../refs.ts';
import { asText } from '../values.ts';
import type { EventSystem } from './event-system.ts';
import { parseSubscriptions, parseTimeout } from './from-arguments.ts';
import { parseToken } from './token.ts';
import { EVENT_CLASSES, type EventClass } from './types.ts';
import { classOf, WIRE_CLASS } from './xapi-objects.ts';
import type { Passthru } from '../../startup/passthru.ts';

/** XAPI's event class: event.from, event.inject and event.get_current_id. */
export function eventMethods(passthru: Passthru, refs: Refs, events: EventSystem): MethodTable {
  return {
    'event.from': {
      arity: 3,
      waits: true,
      run: ([classes = null, token = null, timeout = null], call) =>
        // Each argument is checked before the call waits, so a bad one fails at once.
        events.from(
          parseSubscriptions(classes),
          JSON.stringify(classes),
          parseToken(token),
          parseTimeout(timeout) * 1000,
          // A session ends with its token: a watcher whose token is revoked while it waits hears no more.
          () => call.requireSession(),
        ),
    },
    'event.inject': {
      arity: 2,
      run: ([cls = null, ref = null]) => {
        const name = typeof cls === 'string' ? cls.toLowerCase() : '';
        const known = EVENT_CLASSES.find((candidate) => candidate === name) as EventClass | undefined;
        if (!known || typeof ref !== 'string' || classOf(passthru, refs, ref) !== known) {
          throw handleInvalid(known ? WIRE_CLASS[known] : 'pool', asText(ref));
        }
        return events.inject(ref);
      },
    },
    'event.get_current_id': { arity: 0, run: () => events.head },
  };
}
