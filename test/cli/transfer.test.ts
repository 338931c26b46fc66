import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { loadConfig, type Config } from '../../services/settings/config.ts';
import { exportCommand, importCommand } from '../../services/cli/transfer.ts';
import type { StoredEvent } from '../../services/store/event-store.ts';
import { openStore } from '../../services/store/open-store.ts';
import { GPU, NIC, World } from '../support/world.ts';

interface Context {
  world: World;
  dir: string;
  target: Config;
  lines: string[];
  file: string;
}

const test = suite<Context>('passthru export and import');

const configFor = (store: string, dataDir: string) =>
  loadConfig({
    PASSTHRU_STORE: `sqlite:${store}`,
    PASSTHRU_DATA_DIR: dataDir,
    PASSTHRU_HOST_ID: 'transfer',
    PASSTHRU_HOST_MODE: 'simulated',
  });

async function exportLines(config: Config, flags: Record<string, string> = {}): Promise<string[]> {
  const lines: string[] = [];
  assert.is(await exportCommand(config, flags, (line) => lines.push(line)), 0);
  return lines;
}

async function importFile(config: Config, file: string): Promise<string> {
  const said: string[] = [];
  assert.is(await importCommand(config, file, (line) => said.push(line)), 0);
  return said.join('\n');
}

async function feed(config: Config): Promise<StoredEvent[]> {
  const store = await openStore(config.store, () => new Date());
  try {
    return await store.readAll();
  } finally {
    await store.close();
  }
}

async function importError(config: Config, file: string): Promise<PassthruError> {
  try {
    await importCommand(config, file, () => {});
  } catch (error) {
    assert.instance(error, PassthruError);
    return error as PassthruError;
  }
  throw new Error('the import was expected to fail');
}

test.before.each(async (context) => {
  context.world = await World.start([GPU, NIC]);
  await context.world.post(`/v1/pcis/${NIC.id}/hide`, { reason: 'for a guest' });
  await context.world.reboot();
  await context.world.post(`/v1/pcis/${GPU.id}/hide`);
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-transfer-'));
  context.target = configFor(join(context.dir, 'imported.db'), join(context.dir, 'var'));
  context.lines = await exportLines(context.world.config);
  context.file = join(context.dir, 'events.ndjson');
  writeFileSync(context.file, `${context.lines.join('\n')}\n`);
});
test.after.each(async ({ world, dir }) => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

const kept = (e: StoredEvent) => [e.id, e.stream, e.revision, e.type, e.data, e.metadata];

test('export writes every stored event as one JSON line, in store order', async ({ world, lines }) => {
  const source = await feed(world.config);
  assert.is(lines.length, source.length);
  assert.equal(
    lines.map((l) => JSON.parse(l)),
    source,
  );
  assert.equal(Object.keys(JSON.parse(lines[0]!)), [
    'id',
    'stream',
    'revision',
    'position',
    'type',
    'data',
    'metadata',
    'stored_at',
  ]);
  const after = source[2]!.position;
  assert.equal(await exportLines(world.config, { after: String(after) }), lines.slice(3));
});

test('import into a fresh store gives the same feed; importing again appends nothing', async ({
  world,
  target,
  file,
  lines,
}) => {
  const source = await feed(world.config);
  assert.is(await importFile(target, file), `imported ${lines.length} events from ${file} (0 already in the store)`);
  const imported = await feed(target);
  assert.equal(imported.map(kept), source.map(kept));
  assert.is(await importFile(target, file), `imported 0 events from ${file} (${lines.length} already in the store)`);
  assert.equal(await feed(target), imported);
});

test('an import resumes where an interrupted one stopped', async ({ world, target, dir, file, lines }) => {
  const partial = join(dir, 'partial.ndjson');
  writeFileSync(partial, lines.slice(0, 4).join('\n'));
  await importFile(target, partial);
  assert.is(
    await importFile(target, file),
    `imported ${lines.length - 4} events from ${file} (4 already in the store)`,
  );
  assert.equal((await feed(target)).map(kept), (await feed(world.config)).map(kept));
});

test('a corrupt line is a clear error that names it', async ({ target, dir, lines }) => {
  const corrupt = join(dir, 'corrupt.ndjson');
  writeFileSync(corrupt, `${lines[0]}\n{"id": "x", "stream": \n`);
  const notJson = await importError(target, corrupt);
  assert.is(notJson.kind, 'invalid_input');
  assert.match(notJson.message, /^line 2: not JSON/);
  writeFileSync(corrupt, `${lines[0]}\n${JSON.stringify({ id: 'y', stream: 's', revision: -1, type: 'T' })}\n`);
  assert.is(
    (await importError(target, corrupt)).message,
    'line 2: not an exported event: it needs a revision (a whole number from 0), data, a metadata object',
  );
});

test('a line that would conflict with the store is an error naming the line', async ({ target, dir, file, lines }) => {
  await importFile(target, file);
  const clash = { ...JSON.parse(lines[1]!), id: '00000000-0000-4000-8000-000000000000' };
  const conflicting = join(dir, 'conflicting.ndjson');
  writeFileSync(conflicting, `${lines[0]}\n${JSON.stringify(clash)}\n`);
  const error = await importError(target, conflicting);
  assert.is(error.kind, 'invalid_input');
  assert.match(error.message, `line 2: event ${clash.id} cannot be revision ${clash.revision} of ${clash.stream}`);
});

test.run();
