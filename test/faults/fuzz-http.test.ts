import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_TYPES } from '../../domain/events.ts';
import { GPU, HOST_ID, NIC, NVME, READER_TOKEN, TOKEN, World } from '../support/world.ts';

const test = suite<{ world: World }>('fuzz: random requests against one service');
test.before(async (context) => {
  context.world = await World.start();
  await context.world.addReader();
});
test.after(async ({ world }) => world.close());

const RUNS = 10_000;
const DEVICES = [GPU, NIC, NVME];

/** Percent-encodes every byte of the UTF-8 form but the unreserved ones. */
function encode(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const hex = (digits: number, max = 16 ** digits - 1) =>
  fc.integer({ min: 0, max }).map((n) => n.toString(16).padStart(digits, '0'));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 15 }),
  fc.string({ unit: 'binary-ascii', maxLength: 30 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 300 }),
);

/** The world's devices in every spelling the API accepts, raw or encoded. */
const validId = fc
  .tuple(
    fc.constantFrom(...DEVICES.map((d) => d.id)),
    fc.constantFrom('long', 'short', 'upper', 'short-upper'),
    fc.boolean(),
  )
  .map(([id, form, encoded]) => {
    const short = id.slice(5);
    const spelled = { long: id, short, upper: id.toUpperCase(), 'short-upper': short.toUpperCase() }[form];
    return encoded ? encode(spelled) : spelled;
  });
const unknownId = fc.tuple(hex(4), hex(2), hex(2, 0x1f), hex(1, 7)).map(([d, b, s, f]) => `${d}:${b}:${s}.${f}`);
const hostileId = fc.constantFrom(
  '0000:04:00.8',
  '0000:04:20.0',
  '..%2F..%2Fetc%2Fpasswd',
  '0000:04:00.0%00',
  '%0A0000:04:00.0',
  '$(reboot)',
  '0000:04:00.0;reboot',
  '%20',
  'x'.repeat(64),
  'x'.repeat(65),
  '0'.repeat(100),
  'x'.repeat(101),
  '%zz',
  '%C0%AF',
  '%E0%A4%A',
);
const id = fc.oneof(
  { weight: 10, arbitrary: validId },
  { weight: 2, arbitrary: unknownId },
  { weight: 2, arbitrary: hostileId },
  { weight: 6, arbitrary: anyText.map(encode) },
);

const ROUTES = [
  '/v1/pcis',
  '/v1/pcis/:id',
  '/v1/pcis/:id/dom0-access',
  '/v1/pcis/:id/hide',
  '/v1/pcis/:id/unhide',
  '/v1/pcis/:id/history',
  '/v1/pcis/:id/state',
  '/v1/pgpus',
  '/v1/pgpus/:id',
  '/v1/pgpus/:id/hide',
  '/v1/pgpus/:id/unhide',
  '/v1/events',
  '/v1/reconcile',
  '/v1/host',
  '/v1/plans',
  '/v1/plans/:id',
  '/v1/plans/:id/apply',
  '/healthz',
  '/openapi.json',
  // The XAPI wire facade: its errors are XML-RPC faults and JSON-RPC errors, not problem+json.
  '/',
  '/RPC2',
  '/jsonrpc',
];
const path = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), id).map(([route, i]) => route.replace(':id', i)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTES), id, anyText)
      .map(([route, i, tail]) => `${route.replace(':id', i)}/${encode(tail)}`),
  },
  { weight: 1, arbitrary: anyText.map((text) => `/${encode(text)}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '/',
      '//v1//pcis',
      '/v1/pcis/',
      '/v1/pcis//hide',
      '/v1/../v1/host',
      '/v1/pcis/%2e%2e/host',
      '/V1/PCIS',
    ),
  },
);

const integerish = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '2',
    '3',
    '-1',
    '-2',
    '5',
    '100',
    '1000',
    '1001',
    '1e3',
    '1.5',
    '0x10',
    '',
    ' 1',
    '9007199254740993',
    '99999999999999999999',
  ),
  fc.integer({ min: -10, max: 2000 }).map(String),
  anyText.map(encode),
);
const queryPair = fc.oneof(
  fc.tuple(fc.constantFrom('after', 'limit', 'at'), integerish),
  fc.tuple(
    fc.constant('type'),
    fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.constantFrom('Nope', 'dom0accessdisabled', ''), anyText.map(encode)),
  ),
  fc.tuple(
    fc.constant('host'),
    fc.oneof(fc.constantFrom(HOST_ID, 'other-host', '-bad', 'x'.repeat(65)), anyText.map(encode)),
  ),
  fc.tuple(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', 'limit[]', 'a'), anyText.map(encode)),
    anyText.map(encode),
  ),
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 5,
    arbitrary: fc
      .array(queryPair, { minLength: 1, maxLength: 4 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?after', '?limit=%zz', '?=1', '?after=1&after=2') },
);

const authorization = fc.oneof(
  { weight: 40, arbitrary: fc.constant(undefined) },
  {
    weight: 58,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'Bearer wrong',
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(1)}`,
        `Bearer ${TOKEN} more`,
        `Basic ${TOKEN}`,
        TOKEN,
        'Bearer',
        'Bearer ',
        '',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((text) => `Bearer ${text}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(`Bearer ${TOKEN}`, `bearer  ${TOKEN} `) },
  { weight: 2, arbitrary: fc.constant(`Bearer ${READER_TOKEN}`) },
);
/** Reads pass the token check often enough to reach the routes behind it, with either role. */
const readAuthorization = fc.oneof(
  { weight: 1, arbitrary: authorization },
  { weight: 1, arbitrary: fc.constantFrom(`Bearer ${TOKEN}`, `Bearer ${READER_TOKEN}`) },
);
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  { weight: 2, arbitrary: fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'text/xml', 'application/xml') },
  { weight: 1, arbitrary: fc.constantFrom('application/yaml', 'text/yaml; charset=utf-8') },
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'APPLICATION/JSON',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'multipart/form-data',
        'application/problem+json',
        ';',
        '',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
    ),
  },
);

const nest = (depth: number, open: string, inner: string, close: string) =>
  open.repeat(depth) + inner + close.repeat(depth);
const XAPI_METHODS = [
  'session.login_with_password',
  'PCI.get_all',
  'PCI.get_all_records',
  'PCI.get_dom0_access_status',
  'PCI.disable_dom0_access',
  'PGPU.get_all',
  'PGPU.enable_dom0_access',
  'host.get_all',
  'Nope.nope',
];
const xmlValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }).map((t) => `<value>${t}</value>`),
    fc
      .tuple(
        fc.constantFrom('string', 'int', 'i4', 'double', 'boolean', 'dateTime.iso8601', 'base64', 'nil', 'bogus'),
        fc.oneof(
          anyText,
          fc.integer().map(String),
          fc.constantFrom('&lt;&amp;&#x41;&#0;&#xFFFFFF;&bogus;', ']]>', '<![CDATA[x]]>'),
        ),
      )
      .map(([type, t]) => `<value><${type}>${t}</${type}></value>`),
    fc.array(tie('value'), { maxLength: 4 }).map((vs) => `<value><array><data>${vs.join('')}</data></array></value>`),
    fc
      .array(fc.tuple(fc.string({ maxLength: 10 }), tie('value')), { maxLength: 4 })
      .map(
        (ms) =>
          `<value><struct>${ms.map(([n, v]) => `<member><name>${n}</name>${v}</member>`).join('')}</struct></value>`,
      ),
  ),
})).value;
const xmlRpcBody = fc.oneof(
  fc
    .tuple(
      fc.oneof(fc.constantFrom(...XAPI_METHODS), anyText),
      fc.array(xmlValue, { maxLength: 4 }),
      fc.constantFrom('', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>'),
    )
    .map(
      ([m, vs, prolog]) =>
        `${prolog}<methodCall><methodName>${m}</methodName><params>${vs.map((v) => `<param>${v}</param>`).join('')}</params></methodCall>`,
    ),
  fc
    .integer({ min: 1, max: 3000 })
    .map(
      (depth) =>
        `<methodCall><methodName>PCI.get_all</methodName><params><param>${nest(depth, '<value><array><data>', '<value>x</value>', '</data></array></value>')}</param></params></methodCall>`,
    ),
  fc.constantFrom(
    '<methodCall>',
    '<methodCall></methodCall>',
    '<a><b></a></b>',
    '<?xml?>',
    '<',
    '<methodCall><methodName>PCI.get_all</methodName><params/></methodCall>',
  ),
);
const jsonRpcBody = fc
  .record(
    {
      jsonrpc: fc.constantFrom('2.0', '2.0', '1.0', 2),
      method: fc.oneof(fc.constantFrom(...XAPI_METHODS), fc.string({ maxLength: 140 })),
      params: fc.option(
        fc.array(fc.oneof(fc.constantFrom('OpaqueRef:NULL', 'root', TOKEN), fc.jsonValue({ maxDepth: 2 })), {
          maxLength: 4,
        }),
        { nil: undefined },
      ),
      id: fc.option(fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null)), { nil: undefined }),
    },
    { requiredKeys: ['jsonrpc', 'method'] },
  )
  .map((call) => JSON.stringify(call));

const body = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('{}', 'null', '""', '[]', '0', 'true', '"reason"', '{"reason":null}', '{"reason":""}'),
  },
  { weight: 4, arbitrary: fc.string({ maxLength: 600 }).map((reason) => JSON.stringify({ reason })) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 })
      .map((o) => JSON.stringify(o)),
  },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: xmlRpcBody },
  { weight: 1, arbitrary: jsonRpcBody },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1000, max: 20_000 }), fc.constantFrom('raw', 'reason'))
      .map(([n, kind]) => (kind === 'raw' ? 'x'.repeat(n) : JSON.stringify({ reason: 'y'.repeat(n) }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('object', 'array', 'proto', 'constructor'))
      .map(([depth, kind]) => {
        if (kind === 'object') return nest(depth, '{"a":', '1', '}');
        if (kind === 'array') return nest(depth, '[', '1', ']');
        if (kind === 'proto') return nest(depth, '{"__proto__":', '{"reason":"x"}', '}');
        return nest(depth, '{"constructor":{"prototype":', '{}', '}}');
      }),
  },
);

const actor = fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 140 }), { freq: 8 });
const requestId = fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 140 }), { freq: 8 });

/** Anything: any method on any path, any query, headers and body. */
const anyRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'POST', 'GET'),
  url: fc.tuple(path, query).map(([p, q]) => p + q),
  authorization,
  contentType,
  actor,
  requestId,
  body,
});

/** A command that only the token stands between it and the host (the right one about 2% of the time). */
const wellFormedCommand = fc.record({
  method: fc.constant('POST'),
  url: fc
    .tuple(fc.constantFrom('pcis', 'pcis', 'pgpus'), validId, fc.constantFrom('hide', 'unhide'))
    .map(([kind, i, name]) => `/v1/${kind}/${i}/${name}`),
  authorization,
  contentType: fc.constant('application/json'),
  actor,
  requestId,
  body: fc.oneof(
    fc.constantFrom('{}', 'null'),
    fc.string({ maxLength: 500 }).map((reason) => JSON.stringify({ reason })),
  ),
});

/** A read of a real route with valid ids and paging. */
const wellFormedRead = fc.record({
  method: fc.constant('GET'),
  url: fc
    .tuple(
      fc.constantFrom(
        '/v1/pcis/:id',
        '/v1/pcis/:id/dom0-access',
        '/v1/pcis/:id/history',
        '/v1/pcis/:id/state',
        '/v1/pgpus/:id',
        '/v1/events',
      ),
      validId,
      fc.option(fc.constantFrom('after', 'limit', 'at', 'type')),
      fc.integer({ min: 0, max: 40 }),
    )
    .map(([route, i, key, n]) => {
      const value = key === 'type' ? EVENT_TYPES[n % EVENT_TYPES.length] : key === 'limit' ? n + 1 : n;
      return `${route.replace(':id', i)}${key === null ? '' : `?${key}=${value}`}`;
    }),
  authorization: readAuthorization,
  contentType: fc.constant(undefined),
  actor,
  requestId,
  body: fc.constant(undefined),
});

/** A call to the XAPI facade in its own encoding (never with a session, so it changes nothing). */
const wellFormedRpc = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    url: fc.constantFrom('/', '/RPC2'),
    authorization,
    contentType: fc.constantFrom('text/xml', 'application/xml'),
    actor,
    requestId,
    body: xmlRpcBody,
  }),
  fc.record({
    method: fc.constant('POST'),
    url: fc.constant('/jsonrpc'),
    authorization,
    contentType: fc.constant('application/json'),
    actor,
    requestId,
    body: jsonRpcBody,
  }),
);

const request = fc.oneof(
  { weight: 6, arbitrary: anyRequest },
  { weight: 1, arbitrary: wellFormedRpc },
  { weight: 3, arbitrary: wellFormedCommand },
  { weight: 1, arbitrary: wellFormedRead },
);
type FuzzRequest = typeof anyRequest extends fc.Arbitrary<infer R> ? R : never;

function inject(r: FuzzRequest): InjectOptions {
  const headers: Record<string, string> = {};
  if (r.authorization !== undefined) headers.authorization = r.authorization;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.actor !== null) headers['passthru-actor'] = r.actor;
  if (r.requestId !== null) headers['x-request-id'] = r.requestId;
  return {
    method: r.method as InjectOptions['method'],
    url: r.url,
    headers,
    ...(r.body === undefined ? {} : { payload: r.body }),
  };
}

const describe = (r: FuzzRequest) =>
  JSON.stringify({
    ...r,
    body:
      r.body === undefined
        ? undefined
        : `${r.body.slice(0, 300)}${r.body.length > 300 ? `... (${r.body.length} chars)` : ''}`,
  });

function json(response: LightMyRequestResponse, what: string): any {
  try {
    return JSON.parse(response.body);
  } catch {
    assert.unreachable(`${what}: body is not JSON: ${response.body.slice(0, 200)}`);
  }
}

/** The path as inject's URL parsing hands it to the router (`/.` is `/`), so the route is the one the request reaches. */
function routedPath(url: string): string {
  try {
    return new URL(`http://passthru${url}`).pathname;
  } catch {
    return url.split('?')[0]!;
  }
}

const rpcEndpoint = (r: FuzzRequest) => {
  const route = r.method === 'POST' ? routedPath(r.url) : undefined;
  return route === '/' || route === '/RPC2' || route === '/xmlrpc'
    ? 'xml-rpc'
    : route === '/jsonrpc'
      ? 'json-rpc'
      : null;
};

/** A JSON object with no `jsonrpc` member is a JSON-RPC 1.0 request, answered in 1.0 form. */
function isJsonRpc1(r: FuzzRequest): boolean {
  if (!/^application\/json(;|$)/i.test(String(r.contentType))) return false;
  try {
    const body: unknown = JSON.parse(String(r.body));
    return typeof body === 'object' && body !== null && !Array.isArray(body) && !('jsonrpc' in body);
  } catch {
    return false;
  }
}

function checkResponse(r: FuzzRequest, response: LightMyRequestResponse): void {
  const what = `${response.statusCode} for ${describe(r)}`;
  const status = response.statusCode;
  assert.ok(status < 500, `server error ${what}: ${response.body.slice(0, 300)}`);
  assert.ok((status >= 200 && status < 300) || (status >= 400 && status < 500), `unexpected status ${what}`);
  const rpc = rpcEndpoint(r);
  const presented = /^Bearer +(\S+) *$/i.exec(r.authorization ?? '')?.[1];
  const role = presented === TOKEN ? 'operator' : presented === READER_TOKEN ? 'read-only' : null;
  if (status < 300 && rpc === null && r.url.split('?')[0] !== '/healthz') {
    assert.ok(role !== null, `answered without a valid token: ${what}`);
    if (r.method !== 'GET') assert.is(role, 'operator', `a change answered to a read-only token: ${what}`);
  }
  if (rpc === 'xml-rpc') {
    assert.match(String(response.headers['content-type']), /^text\/xml(;|$)/, `content type of ${what}`);
    assert.match(
      response.body,
      /^(<\?xml[^>]*>\s*)?<methodResponse>[^]*<\/methodResponse>\s*$/,
      `XML-RPC answer to ${what}`,
    );
  } else if (rpc === 'json-rpc') {
    const answer = json(response, what);
    // A body refused unread (over the size limit) cannot say its version: it is answered in 2.0 form.
    if (isJsonRpc1(r) && response.statusCode !== 413) {
      assert.ok('result' in answer && 'error' in answer, `result and error in ${what}`);
      assert.ok((answer.result === null) !== (answer.error === null), `one of result and error null in ${what}`);
    } else {
      assert.is(answer.jsonrpc, '2.0', what);
      assert.ok('result' in answer !== 'error' in answer, `one of result and error in ${what}`);
    }
  } else if (status >= 400) {
    assert.match(
      String(response.headers['content-type']),
      /^application\/problem\+json(;|$)/,
      `content type of ${what}`,
    );
    const problem = json(response, what);
    assert.type(problem, 'object', what);
    assert.is(problem.status, status, `problem status of ${what}`);
    assert.type(problem.detail, 'string', what);
    assert.ok(problem.detail.length > 0, `empty detail in ${what}`);
  } else {
    json(response, what);
  }
}

test(`given one service, when ${RUNS} random requests arrive, then none is a 5xx and every 4xx is a problem+json`, async ({
  world,
}) => {
  const seen = new Map<number, number>();
  let changes = 0;
  const started = Date.now();
  let printed = false;
  try {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const response = await world.request(inject(r));
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode >= 500 && !printed) {
          printed = true;
          console.log(`first 5xx: ${response.statusCode} for ${describe(r)}\n  ${response.body.slice(0, 300)}`);
        }
        checkResponse(r, response);
        if (
          response.statusCode === 200 &&
          /\/(un)?hide$/.test(r.url.split('?')[0]!) &&
          json(response, 'command').changed === true
        ) {
          changes++;
        }
      }),
      { numRuns: RUNS },
    );
  } catch (error) {
    // uvu prints the message only: carry the failed assertion, not just the counterexample.
    const cause = error instanceof Error && error.cause instanceof Error ? `\n${error.cause.message}` : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}${cause}`);
  }
  const summary = [...seen]
    .sort(([a], [b]) => a - b)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  console.log(`fuzz-http: ${RUNS} requests in ${Date.now() - started} ms; ${summary}; ${changes} changed dom0 access`);

  // then the service still answers
  assert.is((await world.get('/healthz')).statusCode, 200);

  // and every change appended exactly one event
  let changeEvents = 0;
  for (const type of ['Dom0AccessDisabled', 'Dom0AccessEnabled']) {
    const feed = await world.get(`/v1/events?type=${type}&limit=1000`);
    assert.is(feed.statusCode, 200);
    changeEvents += feed.json().events.length;
  }
  assert.is(changeEvents, changes);

  // and after a reconcile, the hide lists, the live status and the projection agree
  const reconcile = await world.post('/v1/reconcile');
  assert.is(reconcile.statusCode, 200);
  const host = (await world.get('/v1/host')).json();
  for (const device of DEVICES) {
    const live = (await world.get(`/v1/pcis/${device.id}/dom0-access`)).json().status;
    const state = await world.get(`/v1/pcis/${device.id}/state`);
    assert.is(state.statusCode, 200);
    assert.is(state.json().status, live, `${device.id}: projection vs live`);
    assert.is(
      host.pending.includes(device.id),
      live === 'disabled' || live === 'disabled_on_reboot',
      `${device.id} pending: ${live}`,
    );
    assert.is(
      host.current.includes(device.id),
      live === 'disabled' || live === 'enabled_on_reboot',
      `${device.id} current: ${live}`,
    );
  }
});

test.run();
