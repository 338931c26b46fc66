import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../services/log/logger.ts';
import { prettyLine } from '../../services/log/pretty-lines.ts';

const test = suite('log format: pretty on a terminal, JSON otherwise, either when asked');

/** Logs one warning with a field and an error through a logger on a fake standard output. */
function written(logFormat: 'pretty' | 'json' | null, isTerminal: boolean): string {
  let text = '';
  const log = createLogger(
    { logLevel: 'info', logFormat },
    { sink: { write: (line: string) => (text += line) }, isTerminal, color: false },
  );
  log.warn({ pci: '0000:03:00.0', err: new Error('xen-cmdline exited 1') }, 'hide failed');
  log.debug('not at the default level');
  return text;
}

const PRETTY =
  /^\d{2}:\d{2}:\d{2}\.\d{3} WARN {2}hide failed pci=0000:03:00\.0\n {4}Error: xen-cmdline exited 1\n +at /;

test('given a terminal and no setting, lines are for a person', () => {
  assert.match(written(null, true), PRETTY);
});

test('given no terminal and no setting, each line is one JSON object', () => {
  const lines = written(null, false).trimEnd().split('\n');
  assert.is(lines.length, 1);
  const entry = JSON.parse(lines[0]!);
  assert.equal(
    [entry.level, entry.msg, entry.pci, entry.name, entry.err.message],
    [40, 'hide failed', '0000:03:00.0', 'passthru', 'xen-cmdline exited 1'],
  );
});

test('given the setting, pretty is used without a terminal and JSON on one', () => {
  assert.match(written('pretty', false), PRETTY);
  assert.is(JSON.parse(written('json', true)).msg, 'hide failed');
});

test('a pretty line shows fields that are not plain words as JSON, and colours the level when asked', () => {
  const line = prettyLine(
    JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), msg: 'failed', reason: 'two words', n: 3 }),
    true,
  );
  assert.is(line, '03:04:05.006 \x1b[31mERROR\x1b[0m failed reason="two words" n=3\n');
  assert.is(prettyLine('not json'), 'not json\n');
});

test.run();
