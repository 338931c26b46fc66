import { request } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AddressInfo } from 'node:net';
import { deviceStream } from '../../projections/streams.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { SseClient } from '../support/sse.ts';
import { GPU, HOST_ID, NIC, NVME, READER_TOKEN, TOKEN, World } from '../support/world.ts';

const test = suite<{ world: World; url: string }>('GET /v1/events/stream');
test.before.each(async (context) => {
  context.world = await World.start();
  context.url = await listen(context.world);
});
test.after.each(async ({ world }) => world.close());

async function listen(world: World, port = 0): Promise<string> {
  await world.app.listen({ port, host: '127.0.0.1' });
  return `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`;
}

const feed = async (world: World) => (await world.get('/v1/events?limit=1000')).json().events;

test('from after=0 each stored event is one message, id its position, data its /v1/events entry', async ({
  world,
  url,
}) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const stream = await SseClient.open(`${url}/v1/events/stream?after=0`);
  const stored = await feed(world);
  await stream.until((s) => s.messages.length >= stored.length, 'every stored event');
  assert.is(stream.response.headers['content-type'], 'text/event-stream');
  assert.equal(
    stream.messages.map((m) => m.id),
    stored.map((e: { position: number }) => String(e.position)),
  );
  assert.equal(stream.entries(), stored);
  stream.close();
});

test('without after or Last-Event-ID it starts at the newest event, then follows live', async ({ world, url }) => {
  const stream = await SseClient.open(`${url}/v1/events/stream`);
  await stream.until((s) => s.comments.length > 0, 'the opening comment');
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  await stream.until((s) => s.messages.length > 0, 'the hide');
  assert.equal(
    stream.entries().map((e) => [e.type, e.data.pci]),
    [['Dom0AccessDisabled', GPU.id]],
  );
  stream.close();
});

test('?type= and ?host= filter as on the feed', async ({ world, url }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const byType = await SseClient.open(`${url}/v1/events/stream?after=0&type=Dom0AccessDisabled`);
  const otherHost = await SseClient.open(`${url}/v1/events/stream?after=0&host=another-host`);
  const thisHost = await SseClient.open(`${url}/v1/events/stream?after=0&host=${HOST_ID}`);
  await world.post(`/v1/pcis/${NVME.id}/hide`);
  await byType.until((s) => s.messages.length >= 2, 'both hides');
  await thisHost.until(
    (s) => s.entries().some((e) => e.type === 'Dom0AccessDisabled' && e.data.pci === NVME.id),
    'the second hide',
  );
  assert.equal(
    byType.entries().map((e) => e.data.pci),
    [NIC.id, NVME.id],
  );
  assert.equal(thisHost.entries(), await feed(world));
  assert.is(otherHost.messages.length, 0);
  for (const stream of [byType, otherHost, thisHost]) stream.close();
});

test('resuming by Last-Event-ID across a restart loses nothing and repeats nothing', async ({ world, url }) => {
  const first = await SseClient.open(`${url}/v1/events/stream?after=0`);
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await first.until((s) => s.entries().some((e) => e.type === 'Dom0AccessDisabled'), 'the hide');
  const lastId = first.messages[first.messages.length - 1]!.id!;
  const port = Number(new URL(url).port);
  await world.stop();
  await first.until((s) => s.ended, 'the end of the stream at shutdown');
  await world.boot();
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  const resumed = await SseClient.open(`${await listen(world, port)}/v1/events/stream?after=0`, {
    'last-event-id': lastId,
  });
  const stored = await feed(world);
  await resumed.until((s) => s.messages.length + first.messages.length >= stored.length, 'the rest');
  assert.equal([...first.entries(), ...resumed.entries()], stored);
  resumed.close();
});

test('a stream whose token is revoked ends with a last revoked message, and the token opens no other', async ({
  world,
  url,
}) => {
  await world.addReader();
  const reader = { authorization: `Bearer ${READER_TOKEN}` };
  const stream = await SseClient.open(`${url}/v1/events/stream`, reader);
  await stream.until((s) => s.comments.length > 0, 'the opening comment');
  await world.passthru.access.revoke('reader', { actor: 'admin', correlationId: 'test' });
  await stream.until((s) => s.ended, 'the end of the stream');
  assert.equal(stream.messages, [
    { event: 'revoked', data: '{"reason":"the token this stream was opened with was revoked or replaced"}' },
  ]);
  const again = await fetch(`${url}/v1/events/stream`, { headers: reader });
  assert.is(again.status, 401);
});

test('a Last-Event-ID that is no position is a 400 problem', async ({ url }) => {
  const response = await fetch(`${url}/v1/events/stream`, {
    headers: { 'last-event-id': 'yesterday', authorization: `Bearer ${TOKEN}` },
  });
  assert.is(response.status, 400);
  assert.is(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.match(((await response.json()) as { detail: string }).detail, /Last-Event-ID must be a store position/);
});

test('a Last-Event-ID or an after past the newest event is a 400 problem, as /v1/events?after= answers', async ({
  world,
  url,
}) => {
  const head = (await world.get('/v1/events?limit=1000')).json().events.at(-1).position as number;
  const feed = await world.get(`/v1/events?after=${head + 5}`);
  for (const asked of [{ 'last-event-id': String(head + 5) }, {}] as Record<string, string>[]) {
    const query = 'last-event-id' in asked ? '' : `?after=${head + 5}`;
    const response = await fetch(`${url}/v1/events/stream${query}`, {
      headers: { ...asked, authorization: `Bearer ${TOKEN}` },
    });
    assert.is(response.status, 400, JSON.stringify(asked));
    const problem = (await response.json()) as { detail: string };
    assert.is(problem.detail, feed.json().detail);
  }
  assert.is(feed.statusCode, 400);
});

test('a consumer that does not read is cut off with a last message, and resumes from it with nothing lost', async ({
  world,
  url,
}) => {
  // Requested by hand so that nothing is read until the stream has been cut off.
  const response = await new Promise<import('node:http').IncomingMessage>((resolve) =>
    request(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${TOKEN}` } }, resolve).end(),
  );
  response.pause();
  const from = world.passthru.tail.head;
  await appendLargeEvents(world, 4_000);
  await world.passthru.tail.notify();
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  response.resume();
  await new Promise((resolve) => response.on('end', resolve));
  const blocks = text.trim().split('\n\n');
  const last = blocks[blocks.length - 1]!;
  assert.match(last, /^event: cut-off\ndata: /);
  const { resume_after, reason } = JSON.parse(last.slice(last.indexOf('data: ') + 6));
  assert.match(reason, /read too slowly/);
  const delivered = blocks.filter((b) => b.startsWith('id: ')).map((b) => Number(/^id: (\d+)/.exec(b)![1]));
  assert.ok(delivered.length < 4_000, 'cut off before everything was buffered');
  assert.is(delivered[delivered.length - 1], resume_after);
  const resumed = await SseClient.open(`${url}/v1/events/stream`, { 'last-event-id': String(resume_after) });
  await resumed.until((s) => s.messages.length >= 4_000 - delivered.length, 'the rest');
  const positions = [...delivered, ...resumed.messages.map((m) => Number(m.id))];
  const stored = (await world.passthru.store.readAll({ after: from })).map((e) => e.position);
  assert.equal(positions, stored);
  resumed.close();
});

test('a heartbeat comment comes at least every 15 s', async ({ url }) => {
  const stream = await SseClient.open(`${url}/v1/events/stream`);
  await stream.until((s) => s.comments.includes('heartbeat'), 'a heartbeat', 16_000);
  stream.close();
});

/** Events of another host of the pool arriving in a shared store: many, and large, at once. */
async function appendLargeEvents(world: World, count: number): Promise<void> {
  const stream = deviceStream('pool-peer', '0000:09:00.0' as PciAddress);
  const events = Array.from({ length: count }, (_, i) => ({
    id: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    type: 'Dom0AccessChangeFailed',
    data: {
      pci: '0000:09:00.0',
      command: 'hide',
      status: 'enabled',
      cause: 'command',
      via: 'pci',
      reason: 'x'.repeat(2_000),
    },
    metadata: { at: new Date().toISOString(), actor: 'test', correlation_id: `c${i}`, host: 'pool-peer' },
  }));
  await world.passthru.store.append(stream, events, 'no_stream');
}

test.run();
