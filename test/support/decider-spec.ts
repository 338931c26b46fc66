/**
 * Given / when / then for the dom0 access decider: given the live hide-list
 * membership, when a command is decided, then exactly this decision.
 */
import * as assert from 'uvu/assert';
import { decide, type Decision, type Dom0AccessCommand } from '../../domain/decide.ts';
import type { HiddenIn } from '../../domain/dom0-access.ts';

export interface Then {
  /** The whole decision, compared deeply. */
  then(expected: Decision): void;
  /** The command changes nothing: the decision hands back the live state it was given. */
  thenUnchanged(): void;
  /** The decider throws; `check` may look at the error. */
  thenThrows(check?: (error: unknown) => void): void;
}

export interface When {
  when(command: Dom0AccessCommand): Then;
}

export const spec = {
  given(live: HiddenIn): When {
    return {
      when(command) {
        const decided = () => decide(command, live);
        return {
          then: (expected) => assert.equal(decided(), expected),
          thenUnchanged: () => assert.equal(decided(), { kind: 'unchanged', live }),
          thenThrows(check) {
            let result: Decision;
            try {
              result = decided();
            } catch (error) {
              check?.(error);
              return;
            }
            assert.unreachable(`expected a throw, decided ${JSON.stringify(result)}`);
          },
        };
      },
    };
  },
};
