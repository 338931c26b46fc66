import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MalformedRequest, XapiFailure } from '../../services/xapi/errors.ts';
import { decodeMethodCall, encodeResponse, encodeSuccess, encodeValue } from '../../services/xapi/xmlrpc-codec.ts';
import { jsonRpcFailure, jsonRpcResult, jsonRpcText } from '../../services/xapi/jsonrpc.ts';
import { nameUuid } from '../../services/xapi/refs.ts';

const test = suite('XML-RPC codec and name-based uuids');

const call = (value: string) =>
  `<methodCall><methodName>m</methodName><params><param><value>${value}</value></param></params></methodCall>`;

function refused(xml: string): MalformedRequest {
  try {
    decodeMethodCall(xml);
  } catch (error) {
    if (error instanceof MalformedRequest) return error;
    throw error;
  }
  throw new Error(`accepted: ${xml}`);
}

test('given every value type XAPI clients send, the decoder reads each as written', () => {
  const xml = `<?xml version='1.0'?>
<methodCall>
<methodName>PCI.get_record</methodName>
<params>
<param><value>untyped &amp; &#x41;&#66;</value></param>
<param><value><string></string></value></param>
<param><value><i4>-7</i4></value></param>
<param><value><boolean>1</boolean></value></param>
<param><value><double>-2.5e3</double></value></param>
<param><value><nil/></value></param>
<param><value><array><data><value><int>1</int></value></data></array></value></param>
<param><value><struct><member><name>k</name><value><string>v</string></value></member></struct></value></param>
</params>
</methodCall>
`;
  assert.equal(decodeMethodCall(xml), {
    method: 'PCI.get_record',
    // Structs are built without a prototype.
    params: ['untyped & AB', '', -7, true, -2500, null, [1], Object.assign(Object.create(null), { k: 'v' })],
  });
});

test('a struct member named __proto__ holding a struct stays a plain member and pollutes nothing', () => {
  const [struct] = decodeMethodCall(
    call(
      '<struct><member><name>__proto__</name><value><struct>' +
        '<member><name>polluted</name><value>yes</value></member>' +
        '</struct></value></member></struct>',
    ),
  ).params as [Record<string, unknown>];
  assert.equal(Object.keys(struct), ['__proto__']);
  assert.is(Object.getPrototypeOf(struct), null);
  assert.equal({ ...(struct['__proto__'] as object) }, { polluted: 'yes' });
  assert.is((struct as { polluted?: unknown }).polluted, undefined);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('nesting past 64 elements is refused before any value is built', () => {
  const deep = '<array><data><value>'.repeat(40) + '</value></data></array>'.repeat(40);
  assert.is(refused(call(deep)).message, 'not well-formed XML: elements nested deeper than 64');
});

test('a comment, a CDATA section, a processing instruction or a raw control character is refused', () => {
  for (const inside of ['<!-- c -->', '<![CDATA[x]]>', '<?pi x?>'])
    assert.is(refused(call(inside)).kind, 'parse', inside);
  assert.is(
    refused(call('\u0001')).message,
    'not well-formed XML: a control character that XML does not allow (offset 60)',
  );
});

test('a struct with a member twice, or a boolean other than 0 or 1, is no methodCall', () => {
  const twice = '<struct><member><name>a</name><value/></member><member><name>a</name><value/></member></struct>';
  assert.is(refused(call(twice)).message, 'not an XML-RPC methodCall: the struct has member "a" twice');
  assert.is(
    refused(call('<boolean>true</boolean>')).message,
    'not an XML-RPC methodCall: <boolean>true</boolean> is neither 0 nor 1',
  );
});

test('the encoder writes strings bare, as XAPI does, escaping markup and turning characters XML cannot carry into U+FFFD', () => {
  assert.is(encodeValue('a<b>&c\u0000\r'), '<value>a&lt;b&gt;&amp;c\ufffd&#13;</value>');
  assert.is(encodeValue(''), '<value></value>');
  assert.is(
    encodeResponse({ Status: 'Success', Value: [true, 3, 0.5, null] }),
    '<?xml version="1.0"?><methodResponse><params><param><value><struct>' +
      '<member><name>Status</name><value>Success</value></member>' +
      '<member><name>Value</name><value><array><data><value><boolean>1</boolean></value><value><int>3</int></value>' +
      '<value><double>0.5</double></value><value><nil/></value></data></array></value></member>' +
      '</struct></value></param></params></methodResponse>\n',
  );
});

test('a success encoded once is the same bytes as the struct encoded whole, and a shared result is encoded once', () => {
  const value = { events: [{ ref: 'OpaqueRef:a', snapshot: { name: 'x<y' } }], token: '12,0' };
  const expected = encodeResponse({ Status: 'Success', Value: value });
  assert.is(encodeSuccess(value), expected);
  // Encoded once: a later change to the object is not seen, which is why results are never changed once made.
  value.token = 'changed';
  assert.is(encodeSuccess(value), expected);
  assert.is(encodeSuccess('plain'), encodeResponse({ Status: 'Success', Value: 'plain' }));
});

test('a JSON-RPC answer is written as JSON.stringify writes it, in 2.0 and 1.0 form, failures included', () => {
  const result = { events: [], valid_ref_counts: { pci: 2 }, token: '7,0' };
  const failure = new XapiFailure('HANDLE_INVALID', ['PCI', 'OpaqueRef:x']);
  for (const answer of [
    jsonRpcResult(3, result),
    jsonRpcResult('a"b', result, '1.0'),
    jsonRpcResult(null, 'OpaqueRef:s'),
    jsonRpcFailure(4, failure),
    jsonRpcFailure(4, failure, '1.0'),
  ])
    assert.is(jsonRpcText(answer), JSON.stringify(answer));
});

test('a name-based uuid is RFC 4122 version 5: the same name gives the same uuid, another name another', () => {
  const uuid = nameUuid('uuid/PCI/host-a/0000:03:00.0');
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(nameUuid('uuid/PCI/host-a/0000:03:00.0'), uuid);
  assert.is.not(nameUuid('uuid/PCI/host-b/0000:03:00.0'), uuid);
});

test.run();
