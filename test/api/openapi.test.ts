import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { World } from '../support/world.ts';

const test = suite<{ world: World }>('OpenAPI document');
test.before(async (context) => {
  context.world = await World.start();
});
test.after(async ({ world }) => world.close());

const CONTRACT = [
  ['get', '/v1/pcis'],
  ['get', '/v1/pcis/{id}'],
  ['get', '/v1/pcis/{id}/dom0-access'],
  ['post', '/v1/pcis/{id}/hide'],
  ['post', '/v1/pcis/{id}/unhide'],
  ['post', '/v1/pcis/hide'],
  ['post', '/v1/pcis/unhide'],
  ['get', '/v1/pcis/{id}/history'],
  ['get', '/v1/pcis/{id}/state'],
  ['get', '/v1/pgpus'],
  ['get', '/v1/pgpus/{id}'],
  ['post', '/v1/pgpus/{id}/hide'],
  ['post', '/v1/pgpus/{id}/unhide'],
  ['get', '/v1/events'],
  ['post', '/v1/reconcile'],
  ['get', '/v1/host'],
  ['get', '/healthz'],
] as const;

test('every route of the public contract is documented with its parameters and a 200 schema', async ({ world }) => {
  const response = await world.get('/openapi.json');
  assert.is(response.statusCode, 200);
  const { paths } = response.json();
  for (const [method, path] of CONTRACT) {
    const operation = paths[path]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${path} documented`);
    assert.ok(operation.responses['200'].content['application/json'].schema, `${method} ${path} 200 schema`);
    if (path.includes('{id}')) {
      assert.ok(operation.parameters.some((p: { name: string; in: string }) => p.name === 'id' && p.in === 'path'));
    }
  }
});

test('the changes name their error answers', async ({ world }) => {
  const { paths } = (await world.get('/openapi.json')).json();
  assert.equal(Object.keys(paths['/v1/pcis/{id}/hide'].post.responses).sort(), [
    '200',
    '400',
    '401',
    '403',
    '404',
    '409',
    '502',
  ]);
  assert.equal(paths['/v1/pcis/{id}/hide'].post.security, [{ bearer: [] }]);
  assert.equal(paths['/v1/pcis'].get.security, [{ bearer: [] }], 'reads need a token too');
  assert.is(paths['/healthz'].get.security, undefined, 'only /healthz is public');
});

test.run();
