import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { openStore } from '../../services/store/open-store.ts';
import { skippedSuite } from '../support/skipped-suite.ts';
import { storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'passthru-contract-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;

storeContract('SQLite', () => openStore(`sqlite:${join(dir, `events-${files++}.db`)}`, () => new Date()), {
  idsUniqueAcrossStreams: true,
});

const kurrentdb = process.env.PASSTHRU_TEST_KURRENTDB;
if (kurrentdb) {
  storeContract('KurrentDB', () => openStore(kurrentdb, () => new Date()), { idsUniqueAcrossStreams: false });
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
      'cannot reach the KurrentDB store at kurrentdb://127.0.0.1:1?tls=false: the server is unavailable',
    );
  }
  // The client's deadline (5 s) ends it; this only catches a hang.
  assert.ok(Date.now() - started < 60_000, `failed after ${Date.now() - started} ms`);
});
unreachable.run();
