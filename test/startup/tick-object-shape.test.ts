import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite("tick object shape: process.nextTick keeps V8's fast path after a full collection");
const run = promisify(execFile);
const SHAPE = pathToFileURL(
  join(import.meta.dirname, '..', '..', 'dist', 'services', 'startup', 'tick-object-shape.js'),
);

/**
 * A Node process that queues ticks, lets a full collection run while none is
 * queued, queues more, and prints what V8 learned of each key nextTick's
 * literal defines (`%DebugPrint` lists the function's feedback slots).
 */
async function literalFeedback(keepShape: boolean): Promise<string[]> {
  const program = `
    ${keepShape ? `(await import(${JSON.stringify(SHAPE.href)})).keepTickObjectShape();` : ''}
    const ticks = (count) => new Promise((resolve) => {
      let left = count;
      for (let i = 0; i < count; i++) process.nextTick(() => --left === 0 && resolve());
    });
    await ticks(300);
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
    await ticks(300);
    %DebugPrint(process.nextTick);
  `;
  const { stdout } = await run(
    process.execPath,
    ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '--eval', program],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return [...stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]!);
}

test('given no shape held, a full collection between ticks leaves nextTick megamorphic (the V8 behaviour worked around)', async () => {
  const states = await literalFeedback(false);
  assert.is(states.length, 4, `nextTick's literal defines four keys: ${states}`);
  // Should this fail on a newer Node, V8 no longer does it, and keepTickObjectShape can go.
  assert.ok(states.includes('MEGAMORPHIC'), `${states}`);
});

test('given keepTickObjectShape at start, each key nextTick defines stays on one map', async () => {
  assert.equal(await literalFeedback(true), ['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC']);
});

test.run();
