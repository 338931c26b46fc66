import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { openKurrentDbStore } from '../../services/store/kurrentdb-store.ts';
import { openStore } from '../../services/store/open-store.ts';
import { skippedSuite } from '../support/skipped-suite.ts';
import { storeContract } from './contract.ts';
import { FakeKurrentDb } from './kurrentdb/fake-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'passthru-contract-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;

storeContract('SQLite', () => openStore(`sqlite:${join(dir, `events-${files++}.db`)}`, () => new Date()), {
  idsUniqueAcrossStreams: true,
});

// The KurrentDB adapter over the fake client, every run: the same contract as a real server, short of the network.
const fake = new FakeKurrentDb();
const overFake = (options = '') =>
  openKurrentDbStore(`kurrentdb://fake:2113?tls=false${options ? `&${options}` : ''}`, () =>
    /throwOnAppendFailure=false/.test(options) ? fake.lenientClient() : fake,
  );
storeContract('KurrentDB adapter over a fake client', () => overFake(), {
  idsUniqueAcrossStreams: false,
  server: {
    writeForeign: async (stream, type) => Number(fake.writeRaw(stream, type, { foreign: true }).position.prepare),
    openWith: overFake,
    restart: async () => fake.restart(),
  },
});

const kurrentdb = process.env.PASSTHRU_TEST_KURRENTDB;
if (kurrentdb) {
  const { KurrentDBClient, jsonEvent } = await import('@kurrent/kurrentdb-client');
  const { restart, user } = {
    restart: process.env.PASSTHRU_TEST_KURRENTDB_RESTART,
    user: process.env.PASSTHRU_TEST_KURRENTDB_USER,
  };
  const withOptions = (options: string) => `${kurrentdb}${kurrentdb.includes('?') ? '&' : '?'}${options}`;
  storeContract('KurrentDB', () => openStore(kurrentdb, () => new Date()), {
    idsUniqueAcrossStreams: false,
    server: {
      async writeForeign(stream, type) {
        const client = KurrentDBClient.connectionString(kurrentdb);
        try {
          const result = await client.appendToStream(stream, jsonEvent({ type, data: { foreign: true } }));
          return Number(result.position!.prepare);
        } finally {
          await client.dispose();
        }
      },
      openWith: (options) => openStore(withOptions(options), () => new Date()),
      ...(restart ? { restart: async () => void execSync(restart, { stdio: 'inherit' }) } : {}),
      ...(user ? { openAsUser: () => openStore(user, () => new Date()) } : {}),
    },
  });
} else {
  skippedSuite('KurrentDB store contract', 'no server: set PASSTHRU_TEST_KURRENTDB=kurrentdb://... to run it');
}

const unreachable = suite('KurrentDB store without a server');
unreachable('an unreachable server is a clear store failure within seconds', async () => {
  const started = Date.now();
  try {
    await openStore('kurrentdb://127.0.0.1:1?tls=false', () => new Date());
    assert.unreachable('opened a store with no server behind it');
  } catch (error) {
    assert.instance(error, PassthruError);
    assert.is((error as PassthruError).kind, 'store_failure');
    assert.match(
      (error as Error).message,
      'cannot use the KurrentDB store at kurrentdb://127.0.0.1:1?tls=false: the server is unavailable',
    );
  }
  // The client's deadline (5 s) ends it; this only catches a hang.
  assert.ok(Date.now() - started < 60_000, `failed after ${Date.now() - started} ms`);
});
unreachable.run();
