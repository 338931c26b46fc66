import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, TOKEN, World } from '../support/world.ts';
import { failure, jsonLogin, jsonRpc, LOGIN, python, serve, xmlRpc } from './support.ts';

const test = suite<{ world: World; url: string }>('XAPI errors');
test.before(async (context) => {
  context.world = await World.start();
  context.url = await serve(context.world);
});
test.after(async ({ world }) => world.close());

const UNKNOWN_REF = 'OpaqueRef:6b1f6f0e-0000-4000-8000-000000000000';
const UNKNOWN_UUID = '6b1f6f0e-0000-4000-8000-000000000000';

test('a reference to no object is HANDLE_INVALID [class, ref], whatever the class', async ({ url }) => {
  const answers = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_record', '$session', UNKNOWN_REF],
    ['PCI.disable_dom0_access', '$session', UNKNOWN_REF],
    ['PGPU.get_dom0_access', '$session', `$PCI:${NIC.id}`],
    ['PGPU.enable_dom0_access', '$session', 12],
    ['host.get_record', '$session', `$PCI:${GPU.id}`],
    ['pool.get_master', '$session', '$host'],
  ]);
  const [, pci, command, pciAsPgpu, number, pciAsHost, hostAsPool] = answers;
  assert.equal(pci, failure('HANDLE_INVALID', 'PCI', UNKNOWN_REF));
  assert.equal(command, failure('HANDLE_INVALID', 'PCI', UNKNOWN_REF));
  assert.is(pciAsPgpu.ErrorDescription[0], 'HANDLE_INVALID');
  assert.is(pciAsPgpu.ErrorDescription[1], 'PGPU', 'a NIC’s PCI is no PGPU');
  assert.equal(number, failure('HANDLE_INVALID', 'PGPU', '12'));
  assert.equal(pciAsHost.ErrorDescription.slice(0, 2), ['HANDLE_INVALID', 'host']);
  assert.equal(hostAsPool.ErrorDescription.slice(0, 2), ['HANDLE_INVALID', 'pool']);
});

test('a uuid of no object is UUID_INVALID [class, uuid]', async ({ url }) => {
  const [, pci, pgpu] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_by_uuid', '$session', UNKNOWN_UUID],
    ['PGPU.get_by_uuid', '$session', UNKNOWN_UUID],
  ]);
  assert.equal(pci, failure('UUID_INVALID', 'PCI', UNKNOWN_UUID));
  assert.equal(pgpu, failure('UUID_INVALID', 'PGPU', UNKNOWN_UUID));
});

test('a method passthru does not serve is MESSAGE_METHOD_UNKNOWN, checked before the session', async ({ url }) => {
  const answers = await xmlRpc(url, [
    ['VM.get_all', 'OpaqueRef:NULL'],
    ['Async.PCI.disable_dom0_access', 'OpaqueRef:NULL', UNKNOWN_REF],
    ['constructor', 'OpaqueRef:NULL'],
  ]);
  assert.equal(answers, [
    failure('MESSAGE_METHOD_UNKNOWN', 'VM.get_all'),
    failure('MESSAGE_METHOD_UNKNOWN', 'Async.PCI.disable_dom0_access'),
    failure('MESSAGE_METHOD_UNKNOWN', 'constructor'),
  ]);
});

test('a wrong number of parameters is MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected, received]', async ({
  url,
}) => {
  const [, none, extra, noSession] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_record', '$session'],
    ['PGPU.get_all', '$session', 'surplus'],
    ['host.get_all'],
  ]);
  assert.equal(none, failure('MESSAGE_PARAMETER_COUNT_MISMATCH', 'PCI.get_record', '2', '1'));
  assert.equal(extra, failure('MESSAGE_PARAMETER_COUNT_MISMATCH', 'PGPU.get_all', '1', '2'));
  assert.equal(noSession, failure('MESSAGE_PARAMETER_COUNT_MISMATCH', 'host.get_all', '1', '0'));
});

test('over JSON-RPC a failure is error {code: 1, message: CODE, data: params}', async ({ world }) => {
  const session = await jsonLogin(world);
  assert.equal(await jsonRpc(world, 'PCI.get_record', [session, UNKNOWN_REF], 9), {
    jsonrpc: '2.0',
    id: 9,
    error: { code: 1, message: 'HANDLE_INVALID', data: ['PCI', UNKNOWN_REF] },
  });
  assert.equal((await jsonRpc(world, 'session.login_with_password', ['root', 'wrong'])).error, {
    code: 1,
    message: 'SESSION_AUTHENTICATION_FAILED',
    data: ['root', 'Authentication failure: the password must be a passthru token'],
  });
  assert.equal((await jsonRpc(world, 'PCI.get_all', [])).error, {
    code: 1,
    message: 'MESSAGE_PARAMETER_COUNT_MISMATCH',
    data: ['PCI.get_all', '1', '0'],
  });
});

test('when xen-cmdline fails during a command: INTERNAL_ERROR with the detail, the attempt recorded, nothing changed', async ({
  world,
  url,
}) => {
  process.env.PASSTHRU_SIMULATED_FAULT = 'exit';
  const [, answer] = await xmlRpc(url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${NIC.id}`]]).finally(
    () => {
      delete process.env.PASSTHRU_SIMULATED_FAULT;
    },
  );
  assert.is(answer.Status, 'Failure');
  assert.is(answer.ErrorDescription.length, 2);
  assert.is(answer.ErrorDescription[0], 'INTERNAL_ERROR');
  assert.match(
    answer.ErrorDescription[1],
    /^could not hide 0000:04:00\.0, it stays enabled: .*exited with 3: xen-cmdline: simulated failure/,
  );
  const { events } = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  const last = events[events.length - 1];
  assert.is(last.type, 'Dom0AccessChangeFailed');
  assert.equal([last.data.command, last.data.via, last.data.status], ['hide', 'xapi', 'enabled']);
  assert.is(last.metadata.rpc_method, 'PCI.disable_dom0_access');
  assert.is(await world.status(NIC.id), 'enabled');
});

const fault = (code: number, string: string) => ({ status: 200, fault: { code, string } });
const call = (body: string) =>
  `<?xml version="1.0"?><methodCall><methodName>PCI.get_all</methodName>${body}</methodCall>`;

test('malformed XML is an XML-RPC fault -32700 that Python’s own parser reads, and the service stays up', async ({
  url,
}) => {
  const cases: [string, ReturnType<typeof fault>][] = [
    ['<methodCall><methodName>PCI.get_all', fault(-32700, 'not well-formed XML: <methodName> is never closed')],
    ['', fault(-32700, 'not well-formed XML: no root element')],
    [
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><methodCall><methodName>&lol;</methodName></methodCall>',
      fault(
        -32700,
        'not well-formed XML: markup declarations, comments, CDATA and processing instructions are refused (offset 21)',
      ),
    ],
    [call('<params>&xxe;</params>'), fault(-32700, 'not well-formed XML: an unknown or invalid reference "&xxe;"')],
    [
      '<methodCall id="1"/>',
      fault(-32700, 'not well-formed XML: a tag that is malformed or has attributes (offset 0)'),
    ],
    [
      '<methodCall></methodResponse>',
      fault(-32700, 'not well-formed XML: </methodResponse> does not close <methodCall> (offset 29)'),
    ],
  ];
  for (const [body, expected] of cases) assert.equal(await python('raw_post.py', [url], body), expected, body);
  const [login] = await xmlRpc(url, [LOGIN]);
  assert.is(login.Status, 'Success');
});

test('well-formed XML that is no methodCall is an XML-RPC fault -32600', async ({ url }) => {
  const cases: [string, ReturnType<typeof fault>][] = [
    ['<methodResponse/>', fault(-32600, 'not an XML-RPC methodCall: the root element is <methodResponse>')],
    [
      '<methodCall><params/></methodCall>',
      fault(-32600, 'not an XML-RPC methodCall: expected <methodName> then an optional <params>'),
    ],
    [
      call('<params><param><value><base64>AAAA</base64></value></param></params>'),
      fault(-32600, 'not an XML-RPC methodCall: <base64> is not a supported value type'),
    ],
    [
      call('<params><param><value><int>2147483648</int></value></param></params>'),
      fault(-32600, 'not an XML-RPC methodCall: <int>2147483648</int> is not a 32-bit integer'),
    ],
  ];
  for (const [body, expected] of cases) assert.equal(await python('raw_post.py', [url], body), expected, body);
});

test('a body too large or of another media type is refused with its HTTP status, in XML-RPC', async ({ world }) => {
  const large = await world.request({
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'text/xml' },
    payload: call(`<params><param><value>${'x'.repeat(20_000)}</value></param></params>`),
  });
  assert.is(large.statusCode, 413);
  assert.is(large.headers['content-type'], 'text/xml');
  assert.match(large.body, /<fault>.*<int>-32600<\/int>.*Request body is too large/);
  const json = await world.request({ method: 'POST', url: '/RPC2', payload: { method: 'PCI.get_all' } });
  assert.is(json.statusCode, 415);
  assert.match(json.body, /<fault>.*<int>-32600<\/int>/);
});

test('malformed JSON is -32700, a request of the wrong shape -32600, both with HTTP 200', async ({ world }) => {
  const post = async (payload: string) => {
    const response = await world.request({
      method: 'POST',
      url: '/jsonrpc',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    assert.is(response.statusCode, 200);
    return response.json();
  };
  const error = (id: number | null, code: number, message: string) => ({
    jsonrpc: '2.0',
    id,
    error: { code, message },
  });
  assert.equal(await post('{"jsonrpc": "2.0", "method": '), error(null, -32700, 'the body is not valid JSON'));
  assert.equal(
    await post('[{"jsonrpc": "2.0", "method": "PCI.get_all"}]'),
    error(null, -32600, 'request must be object'),
  );
  assert.equal(
    await post('{"jsonrpc": "1.0", "method": "PCI.get_all", "id": 4}'),
    error(4, -32600, 'request/jsonrpc must be equal to constant'),
  );
  assert.equal(
    await post('{"jsonrpc": "2.0", "method": "PCI.get_all", "params": "OpaqueRef:1", "id": 5}'),
    error(5, -32600, 'request/params must be array'),
  );
});

test('a value nested 5000 deep (a user name of arrays) is -32600 naming the bound, not INTERNAL_ERROR, and the service answers on', async ({
  world,
}) => {
  const deep = `${'['.repeat(5000)}"root"${']'.repeat(5000)}`;
  const response = await world.request({
    method: 'POST',
    url: '/jsonrpc',
    headers: { 'content-type': 'application/json' },
    payload: `{"jsonrpc": "2.0", "method": "session.login_with_password", "params": [${deep}, "x"], "id": 7}`,
  });
  assert.is(response.statusCode, 200);
  assert.equal(response.json(), {
    jsonrpc: '2.0',
    id: 7,
    error: { code: -32600, message: 'request: values nested deeper than 64' },
  });
  assert.is(
    (await jsonRpc(world, 'session.login_with_password', ['root', TOKEN])).result.startsWith('OpaqueRef:'),
    true,
  );
});

test.run();
