import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { World } from '../support/world.ts';

// Run after `npm run build` (npm test builds first): the page is served from dist/page.
const test = suite<{ world: World }>('the operator page at GET /, and its assets');
test.before(async (context) => {
  context.world = await World.start();
});
test.after(async ({ world }) => world.close());

const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br' };
const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

test('a browser asking GET / gets the page, revalidated on every load and locked to its own origin', async ({
  world,
}) => {
  const response = await world.request({ method: 'GET', url: '/', headers: browser });
  assert.is(response.statusCode, 200);
  assert.is(response.headers['content-type'], 'text/html; charset=utf-8');
  assert.is(response.headers['cache-control'], 'no-cache');
  assert.is(response.headers['content-encoding'], 'gzip');
  assert.match(String(response.headers['content-security-policy']), "script-src 'self'");
  assert.match(String(response.headers['content-security-policy']), "frame-ancestors 'none'");
  const html = gunzipSync(response.rawPayload).toString();
  assert.match(html, '<title>passthru</title>');
  assert.equal(
    assetsOf(html).map((a) => a.replace(/-[A-Z0-9]+\./, '-HASH.')),
    ['/assets/favicon-HASH.svg', '/assets/main-HASH.css', '/assets/main-HASH.js'],
  );
});

test('the page answers 304 to a browser that has it already', async ({ world }) => {
  const first = await world.request({ method: 'GET', url: '/', headers: browser });
  const again = await world.request({
    method: 'GET',
    url: '/',
    headers: { ...browser, 'if-none-match': String(first.headers.etag) },
  });
  assert.is(again.statusCode, 304);
  assert.is(again.payload, '');
});

test('assets have hashed names and are cached for good, gzipped for a client that accepts it', async ({ world }) => {
  const html = (await world.request({ method: 'GET', url: '/', headers: { accept: 'text/html' } })).payload;
  for (const asset of assetsOf(html)) {
    const plain = await world.request({ method: 'GET', url: asset });
    assert.is(plain.statusCode, 200, asset);
    assert.is(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.is(plain.headers['content-encoding'], undefined);
    const gzipped = await world.request({ method: 'GET', url: asset, headers: { 'accept-encoding': 'gzip' } });
    assert.is(gzipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gzipped.rawPayload), plain.rawPayload);
  }
  const script = assetsOf(html).find((a) => a.endsWith('.js'))!;
  assert.is(
    (await world.request({ method: 'GET', url: script })).headers['content-type'],
    'text/javascript; charset=utf-8',
  );
});

test('an asset that does not exist is a problem, never the page', async ({ world }) => {
  const response = await world.request({ method: 'GET', url: '/assets/main-NOTAHASH.js' });
  assert.is(response.statusCode, 404);
  assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.is(response.json().detail, 'no page asset main-NOTAHASH.js');
  assert.is((await world.request({ method: 'GET', url: '/assets/..%2Fpackage.json' })).statusCode, 400);
});

test('GET / without text/html answers as it did before the page: no such route', async ({ world }) => {
  for (const accept of [undefined, 'application/json', '*/*', 'text/html;q=0']) {
    const response = await world.request({ method: 'GET', url: '/', headers: accept ? { accept } : {} });
    assert.is(response.statusCode, 404, String(accept));
    assert.is(response.json().detail, 'no route GET /');
  }
});

test('the page needs no token to load, and stays out of the REST API document', async ({ world }) => {
  assert.is((await world.request({ method: 'GET', url: '/', headers: browser })).statusCode, 200);
  const { paths } = (await world.get('/openapi.json')).json();
  assert.is(paths['/']?.get, undefined, 'GET / is not an API route');
  assert.ok(paths['/']?.post, 'XML-RPC at POST / is');
  assert.equal(
    Object.keys(paths).filter((path) => path.startsWith('/assets')),
    [],
  );
  assert.ok(paths['/v1/pcis'], 'the REST API is documented');
});

test('XML-RPC keeps POST /', async ({ world }) => {
  const response = await world.request({
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'text/xml', accept: 'text/html' },
    payload: '<methodCall><methodName>system.listMethods</methodName><params/></methodCall>',
  });
  assert.is(response.statusCode, 200);
  assert.match(response.payload, '<methodResponse>');
});

test.run();
