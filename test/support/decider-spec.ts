/**
 * Given / when / then for the dom0 access decider: given the live hide-list
 * membership, when a command is decided, then exactly this decision.
 */
import * as assert from 'uvu/assert';
import { decide, type Decision, type Dom0AccessCommand } from '../../domain/decide.ts';
import type { HiddenIn } from '../../domain/dom0-access.ts';
import { PassthruError, type ErrorKind } from '../../domain/errors.ts';

export interface Then {
  /** The whole decision, compared deeply. */
  then(expected: Decision): void;
  /** The command changes nothing: the decision hands back the live state it was given. */
  thenUnchanged(): void;
  /** The decider refuses with a domain error of this kind (any other exception fails), its message matching. */
  thenThrows(kind: ErrorKind, message?: string | RegExp): void;
}

export interface When {
  when(command: Dom0AccessCommand): Then;
}

export type Decider = (command: Dom0AccessCommand, live: HiddenIn) => Decision;

export function specOf(decider: Decider) {
  return {
    given(live: HiddenIn): When {
      return {
        when(command) {
          const decided = () => decider(command, live);
          return {
            then: (expected) => assert.equal(decided(), expected),
            thenUnchanged: () => assert.equal(decided(), { kind: 'unchanged', live }),
            thenThrows(kind, message) {
              let result: Decision;
              try {
                result = decided();
              } catch (error) {
                if (!(error instanceof PassthruError)) throw error;
                assert.is(error.kind, kind, `refused as ${error.kind}: ${error.message}`);
                if (message !== undefined) assert.match(error.message, message);
                return;
              }
              assert.unreachable(`expected a ${kind} refusal, decided ${JSON.stringify(result)}`);
            },
          };
        },
      };
    },
  };
}

export const spec = specOf(decide);
