import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NIC, World } from '../support/world.ts';

const test = suite<{ world: World }>('bad input');
test.before(async (context) => {
  context.world = await World.start();
});
test.after(async ({ world }) => world.close());

const hostile = [
  'not-an-address',
  '0000:04:00.8',
  '0000:04:20.0',
  '4:00.0',
  '0000:04:00.0;reboot',
  '$(reboot)',
  '..%2F..%2Fetc%2Fpasswd',
  '0000:04:00.0%00',
  '%0a0000:04:00.0',
  'x'.repeat(60),
];

for (const id of hostile) {
  test(`a malformed address "${id.slice(0, 20)}" is a 400 problem naming the format`, async ({ world }) => {
    for (const url of [`/v1/pcis/${id}`, `/v1/pcis/${id}/dom0-access`, `/v1/pgpus/${id}`]) {
      const response = await world.get(url);
      assert.is(response.statusCode, 400, url);
      assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(response.json().detail, /expected DDDD:BB:DD.F or BB:DD.F/);
    }
    const hide = await world.post(`/v1/pcis/${id}/hide`);
    assert.is(hide.statusCode, 400);
  });
}

test('an address too long for the schema is a 400 from validation', async ({ world }) => {
  const response = await world.get(`/v1/pcis/${'0'.repeat(100)}`);
  assert.is(response.statusCode, 400);
  assert.is(response.json().status, 400);
  assert.match(response.json().detail, /params\/id must NOT have more than 64 characters/);
});

for (const [url, detail] of [
  ['/v1/pcis/%zz', 'the request URL has a malformed percent escape'],
  ['/v1/pcis/%C0%AF/hide', 'the request URL has a malformed percent escape'],
  [`/v1/pcis/${'x'.repeat(101)}`, 'a path parameter is longer than 100 characters'],
] as const) {
  test(`a URL fastify rejects before routing (${url.slice(0, 24)}) is a 400 problem too`, async ({ world }) => {
    const response = await world.get(url);
    assert.is(response.statusCode, 400);
    assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.is(response.json().detail, detail);
  });
}

test('an unknown device is a 404 problem', async ({ world }) => {
  for (const url of ['/v1/pcis/0000:0a:00.0', '/v1/pcis/0000:0a:00.0/dom0-access', '/v1/pcis/0000:0a:00.0/history']) {
    const response = await world.get(url);
    assert.is(response.statusCode, 404, url);
    assert.is(response.json().detail, 'no PCI device 0000:0a:00.0 on this host');
  }
  assert.is((await world.post('/v1/pcis/0000:0a:00.0/hide')).statusCode, 404);
});

test('a PCI that is not a display controller is no PGPU', async ({ world }) => {
  assert.is((await world.get(`/v1/pgpus/${NIC.id}`)).statusCode, 404);
  assert.is((await world.post(`/v1/pgpus/${NIC.id}/hide`)).statusCode, 404);
  assert.is(await world.status(NIC.id), 'enabled');
});

test('a change without a token is a 401 that changes nothing', async ({ world }) => {
  const response = await world.post(`/v1/pcis/${NIC.id}/hide`, undefined, null);
  assert.is(response.statusCode, 401);
  assert.is(response.headers['www-authenticate'], 'Bearer realm="passthru"');
  assert.is(await world.status(NIC.id), 'enabled');
});

for (const token of ['wrong', 'test-token-012345678', 'test-token-01234567890', '']) {
  test(`a change with the bearer token "${token}" is a 401`, async ({ world }) => {
    assert.is((await world.post(`/v1/pcis/${NIC.id}/hide`, undefined, token)).statusCode, 401);
    assert.is((await world.post('/v1/reconcile', undefined, token)).statusCode, 401);
    assert.is(await world.status(NIC.id), 'enabled');
  });
}

test('a body with unknown fields, or not JSON, is a 400', async ({ world }) => {
  assert.is((await world.post(`/v1/pcis/${NIC.id}/hide`, { reason: 'x', forse: true })).statusCode, 400);
  const notJson = await world.request({
    method: 'POST',
    url: `/v1/pcis/${NIC.id}/hide`,
    headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
    payload: '{"reason":',
  });
  assert.is(notJson.statusCode, 400);
  assert.is(notJson.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.is(await world.status(NIC.id), 'enabled');
});

test('bad paging parameters are a 400', async ({ world }) => {
  for (const url of [
    `/v1/pcis/${NIC.id}/history?limit=0`,
    `/v1/pcis/${NIC.id}/history?limit=abc`,
    '/v1/events?limit=5000',
    '/v1/events?type=Nope',
    '/v1/events?after=-3',
    `/v1/pcis/${NIC.id}/state?at=x`,
  ]) {
    const response = await world.get(url);
    assert.is(response.statusCode, 400, url);
    assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  }
});

test('an after that is no event position is a 400, on the whole feed and on one host', async ({ world }) => {
  const { events } = (await world.get('/v1/events?limit=1000')).json();
  const head = events[events.length - 1].position;
  for (const after of [head + 1, 2 ** 60]) {
    for (const url of [`/v1/events?after=${after}`, `/v1/events?after=${after}&host=${world.config.hostId}`]) {
      const response = await world.get(url);
      assert.is(response.statusCode, 400, url);
      assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(response.json().detail, `after=${after} is not the position of a stored event`);
    }
  }
  assert.is((await world.get(`/v1/events?after=${head}`)).json().events.length, 0);
});

test('an unknown route is a 404 problem', async ({ world }) => {
  const response = await world.get('/v2/anything');
  assert.is(response.statusCode, 404);
  assert.is(response.json().detail, 'no route GET /v2/anything');
});

test.run();
