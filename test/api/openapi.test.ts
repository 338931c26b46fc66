import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { World } from '../support/world.ts';

const test = suite<{ world: World }>('OpenAPI document');
test.before(async (context) => {
  context.world = await World.start();
});
test.after(async ({ world }) => world.close());

/** The routes DESIGN.md names, each with its success answer: [method, path, status, content type]. */
const CONTRACT = [
  ['get', '/v1/pcis', '200', 'application/json'],
  ['get', '/v1/pcis/{id}', '200', 'application/json'],
  ['get', '/v1/pcis/{id}/dom0-access', '200', 'application/json'],
  ['post', '/v1/pcis/{id}/hide', '200', 'application/json'],
  ['post', '/v1/pcis/{id}/unhide', '200', 'application/json'],
  ['post', '/v1/pcis/hide', '200', 'application/json'],
  ['post', '/v1/pcis/unhide', '200', 'application/json'],
  ['get', '/v1/pcis/{id}/history', '200', 'application/json'],
  ['get', '/v1/pcis/{id}/state', '200', 'application/json'],
  ['get', '/v1/pgpus', '200', 'application/json'],
  ['get', '/v1/pgpus/{id}', '200', 'application/json'],
  ['post', '/v1/pgpus/{id}/hide', '200', 'application/json'],
  ['post', '/v1/pgpus/{id}/unhide', '200', 'application/json'],
  ['get', '/v1/events', '200', 'application/json'],
  ['get', '/v1/events/stream', '200', 'text/event-stream'],
  ['post', '/v1/reconcile', '200', 'application/json'],
  ['get', '/v1/host', '200', 'application/json'],
  ['get', '/v1/host/next-boot', '200', 'application/json'],
  ['post', '/v1/plans', '201', 'application/json'],
  ['get', '/v1/plans/{id}', '200', 'application/json'],
  ['post', '/v1/plans/{id}/apply', '200', 'application/json'],
  ['get', '/healthz', '200', 'application/json'],
  ['post', '/jsonrpc', '200', 'application/json'],
  ['post', '/', '200', 'text/xml'],
  ['post', '/xmlrpc', '200', 'text/xml'],
] as const;

interface Operation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const operations = (paths: Record<string, Record<string, Operation>>) =>
  Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
  );

test('every route of the public contract is documented with its parameters and its success schema', async ({
  world,
}) => {
  const response = await world.get('/openapi.json');
  assert.is(response.statusCode, 200);
  const { paths } = response.json();
  for (const [method, path, status, type] of CONTRACT) {
    const operation = paths[path]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${path} documented`);
    assert.ok(operation.responses[status]?.content?.[type]?.schema, `${method} ${path} ${status} ${type} schema`);
    if (path.includes('{id}')) {
      assert.ok(operation.parameters.some((p: { name: string; in: string }) => p.name === 'id' && p.in === 'path'));
    }
  }
});

test('given every documented route, each names a success answer and every answer it names has a schema', async ({
  world,
}) => {
  const { paths } = (await world.get('/openapi.json')).json();
  const documented = operations(paths);
  assert.ok(documented.length > CONTRACT.length, `${documented.length} routes documented`);
  for (const { name, operation } of documented) {
    const statuses = Object.keys(operation.responses);
    assert.ok(
      statuses.some((status) => status.startsWith('2')),
      `${name} names a success answer: ${statuses}`,
    );
    for (const status of statuses) {
      const contents = Object.values(operation.responses[status]!.content ?? {});
      assert.ok(contents.length > 0 && contents.every((content) => content.schema), `${name} ${status} has a schema`);
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
