import type { MethodTable } from './call.ts';

/**
 * passthru runs no asynchronous tasks, so there are none to list; watchers
 * that count tasks (Xen Orchestra's connector compares its count with
 * event.from's) still find the class, and settle.
 */
export function taskMethods(): MethodTable {
  return {
    'task.get_all': { arity: 0, run: () => [] },
    'task.get_all_records': { arity: 0, run: () => ({}) },
  };
}
