import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { newEventId } from '../../services/write/event-id.ts';

const test = suite('event ids');

test('an event id is a UUID version 7 whose first 48 bits are the time in milliseconds', () => {
  const at = new Date('2026-11-24T12:00:00.123Z');
  const id = newEventId(at);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at.getTime());
});

test('ids made later sort after ids made earlier, and ids made together differ', () => {
  const early = Array.from({ length: 100 }, () => newEventId(new Date(1_000_000)));
  const late = newEventId(new Date(1_000_001));
  assert.is(new Set(early).size, 100);
  assert.ok(early.every((id) => id < late));
});

test.run();
