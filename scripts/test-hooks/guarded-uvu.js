// uvu's suites, with what uvu 0.5 hides made visible to scripts/run-tests.js:
// it swallows an error thrown by a `before` or `after` hook (the suite's tests
// just do not run), and `.only` silently turns the other tests of a suite off.
// Each is printed on a line of its own, which the runner reads.
import * as uvu from 'uvu';

export const HOOK_FAILED = 'hook failed:';
export const ONLY_USED = '.only used:';

function guard(name, kind, hook) {
  return async (state) => {
    try {
      return await hook(state);
    } catch (error) {
      const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stdout.write(`\n${HOOK_FAILED} ${kind} hook of suite "${name}": ${stack}\n`);
      throw error;
    }
  };
}

function guarded(test, name) {
  const { before, after, only } = test;
  const each = (hooks, kind) => (hook) => hooks(guard(name, kind, hook));
  test.before = Object.assign(each(before, 'before'), { each: each(before.each, 'before.each') });
  test.after = Object.assign(each(after, 'after'), { each: each(after.each, 'after.each') });
  test.only = (title, handler) => {
    process.stdout.write(`\n${ONLY_USED} suite "${name}", test "${title}"\n`);
    return only(title, handler);
  };
  return test;
}

export const suite = (name = '', state = {}) => guarded(uvu.suite(name, state), name);
export const test = guarded(uvu.test, '');
export const exec = uvu.exec;
