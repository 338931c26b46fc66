import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PciAddress } from '../../domain/pci-address.ts';
import { deviceStream } from '../../projections/streams.ts';
import { GPU, NIC, NVME, World } from '../support/world.ts';

interface FeedEvent {
  stream: string;
  type: string;
  metadata: { host: string };
}

const test = suite<{ dir: string; alpha: World; beta: World }>('a pool: two hosts sharing one store');
test.before.each(async (context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-pool-'));
  const shared = (host: string) => ({
    PASSTHRU_STORE: `sqlite:${join(context.dir, 'pool.db')}`,
    PASSTHRU_HOST_ID: host,
  });
  context.alpha = await World.start([GPU, NIC], shared('alpha'));
  context.beta = await World.start([NIC, NVME], shared('beta'));
  await context.alpha.post(`/v1/pcis/${NIC.id}/hide`);
  await context.beta.post(`/v1/pcis/${NVME.id}/hide`);
});
test.after.each(async ({ dir, alpha, beta }) => {
  await alpha.close();
  await beta.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = async (world: World) => (await world.get('/v1/pcis')).json().map((r: { id: string }) => r.id);

test('each host sees its own devices', async ({ alpha, beta }) => {
  assert.equal(await ids(alpha), [GPU.id, NIC.id]);
  assert.equal(await ids(beta), [NIC.id, NVME.id]);
  assert.is(await alpha.status(NIC.id), 'disabled_on_reboot');
  assert.is(await beta.status(NIC.id), 'enabled');
});

test('the feed holds the whole pool, and ?host= narrows it to one host, pages included', async ({ alpha, beta }) => {
  const all: FeedEvent[] = (await alpha.get('/v1/events?limit=1000')).json().events;
  assert.equal(new Set(all.map((e) => e.metadata.host)), new Set(['alpha', 'beta']));
  assert.equal((await beta.get('/v1/events?limit=1000')).json().events, all);
  for (const host of ['alpha', 'beta']) {
    const mine = all.filter((e) => e.metadata.host === host);
    const feed = (await beta.get(`/v1/events?limit=1000&host=${host}`)).json();
    assert.equal(feed.events, mine);
    assert.ok(feed.events.some((e: FeedEvent) => e.stream === `host-${host}`));
    const paged: FeedEvent[] = [];
    for (let after = 0, pages = 0; ; pages++) {
      // Pages of two: more than half as many pages as events means `next` never ends.
      assert.ok(pages <= mine.length / 2 + 1, `paging ${host} did not end after ${pages} pages`);
      const page = (await alpha.get(`/v1/events?limit=2&host=${host}&after=${after}`)).json();
      paged.push(...page.events);
      if (page.next === null) break;
      after = page.next;
    }
    assert.equal(paged, mine);
  }
  const hides = (await alpha.get('/v1/events?host=beta&type=Dom0AccessDisabled')).json().events;
  assert.equal(
    hides.map((e: FeedEvent) => e.stream),
    [`pci-beta@${NVME.id}`],
  );
});

test('?host= goes by the recorded host, not by a stream prefix another host id shares', async ({ alpha }) => {
  const before = (await alpha.get('/v1/events?limit=1000&host=alpha')).json().events;
  const metadata = { at: new Date().toISOString(), actor: 'test', correlation_id: 'c', host: 'alpha-2' };
  await alpha.passthru.store.append(
    deviceStream('alpha-2', NVME.id as PciAddress),
    [{ id: randomUUID(), type: 'DeviceDiscovered', data: {}, metadata }],
    'no_stream',
  );
  await alpha.passthru.store.append(
    'host-alpha-2',
    [{ id: randomUUID(), type: 'BootObserved', data: {}, metadata }],
    'no_stream',
  );
  assert.equal((await alpha.get('/v1/events?limit=1000&host=alpha')).json().events, before);
  assert.is((await alpha.get('/v1/events?limit=1000&host=alpha-2')).json().events.length, 2);
});

test('history reads another host’s device from the shared store', async ({ alpha, beta }) => {
  const types = (page: { events: FeedEvent[] }) => page.events.map((e) => e.type);
  assert.equal(types((await alpha.get(`/v1/pcis/${NVME.id}/history?host=beta`)).json()), [
    'DeviceDiscovered',
    'Dom0AccessDisabled',
  ]);
  assert.equal(types((await beta.get(`/v1/pcis/${NIC.id}/history?host=alpha`)).json()), [
    'DeviceDiscovered',
    'Dom0AccessDisabled',
  ]);
  assert.equal(types((await beta.get(`/v1/pcis/${NIC.id}/history`)).json()), ['DeviceDiscovered']);
  const missing = await beta.get(`/v1/pcis/${NVME.id}/history?host=alpha`);
  assert.is(missing.statusCode, 404);
  assert.is(missing.json().detail, `${NVME.id} has no recorded events on host alpha`);
  assert.is((await alpha.get(`/v1/pcis/${NIC.id}/history?host=-bad`)).statusCode, 400);
  assert.is((await alpha.get('/v1/events?host=a/b')).statusCode, 400);
});

test.run();
