import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SseParser } from '../../page/src/sse-parser.ts';

const test = suite('the page reads text/event-stream as fetch() delivers it');

const STREAM =
  ': passthru events after position 4\n\n' +
  'id: 5\ndata: {"position":5}\n\n' +
  ': heartbeat\n\n' +
  'id: 6\ndata: {"position":6,\ndata: "more":true}\n\n' +
  'event: cut-off\ndata: {"resume_after":6}\n\n';

const EXPECTED = [
  { id: '5', event: 'message', data: '{"position":5}' },
  { id: '6', event: 'message', data: '{"position":6,\n"more":true}' },
  { id: '6', event: 'cut-off', data: '{"resume_after":6}' },
];

test('given the whole stream at once, then each message with its id, comments skipped', () => {
  assert.equal(new SseParser().push(STREAM), EXPECTED);
});

test('given the stream split at every character, then the same messages', () => {
  const parser = new SseParser();
  assert.equal(
    [...STREAM].flatMap((char) => parser.push(char)),
    EXPECTED,
  );
});

test('given CR LF line ends split between chunks, then no empty line appears between them', () => {
  const parser = new SseParser();
  const messages = [...parser.push('id: 1\r'), ...parser.push('\ndata: a\r'), ...parser.push('\n\r\n')];
  assert.equal(messages, [{ id: '1', event: 'message', data: 'a' }]);
});

test('given a message not yet ended by its empty line, then nothing is dispatched', () => {
  const parser = new SseParser();
  assert.equal(parser.push('id: 9\ndata: half'), []);
  assert.equal(parser.push('\n\n'), [{ id: '9', event: 'message', data: 'half' }]);
});

test.run();
