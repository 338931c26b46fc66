import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TOKEN, World } from '../support/world.ts';
import { Sessions } from '../../services/xapi/sessions.ts';
import { failure, jsonLogin, jsonRpc, LOGIN, serve, success, xmlRpc } from './support.ts';

const OPAQUE_REF = /^OpaqueRef:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const test = suite<{ world: World; url: string }>('XAPI sessions');
test.before(async (context) => {
  context.world = await World.start();
  context.url = await serve(context.world);
});
test.after(async ({ world }) => world.close());

test('given the service token as password, login answers a session that works until logout', async ({ url }) => {
  const [login, hosts, logout, after] = await xmlRpc(url, [
    LOGIN,
    ['host.get_all', '$session'],
    ['session.logout', '$session'],
    ['host.get_all', '$session'],
  ]);
  assert.is(login.Status, 'Success');
  assert.match(login.Value, OPAQUE_REF);
  assert.is(hosts.Status, 'Success');
  assert.equal(logout, success(''));
  assert.equal(after, failure('SESSION_INVALID', login.Value));
});

test('when the password is not the token, login fails with SESSION_AUTHENTICATION_FAILED naming the user', async ({
  url,
}) => {
  const [wrong, notText] = await xmlRpc(url, [
    ['session.login_with_password', 'root', 'not-the-token', '2.21', 'tests'],
    ['session.login_with_password', 'admin', 42],
  ]);
  const message = 'Authentication failure: the password must be a passthru token';
  assert.equal(wrong, failure('SESSION_AUTHENTICATION_FAILED', 'root', message));
  assert.equal(notText, failure('SESSION_AUTHENTICATION_FAILED', 'admin', message));
});

test('version and originator are optional at login, as old scripts leave them out; other counts are refused', async ({
  url,
}) => {
  const [two, three, one, five] = await xmlRpc(url, [
    ['session.login_with_password', 'root', TOKEN],
    ['session.login_with_password', 'root', TOKEN, '2.21'],
    ['session.login_with_password', 'root'],
    [...LOGIN, 'extra'],
  ]);
  assert.is(two.Status, 'Success');
  assert.is(three.Status, 'Success');
  assert.equal(one, failure('MESSAGE_PARAMETER_COUNT_MISMATCH', 'session.login_with_password', '4', '1'));
  assert.equal(five, failure('MESSAGE_PARAMETER_COUNT_MISMATCH', 'session.login_with_password', '4', '5'));
});

test('every other call needs a live session first: a made-up, missing or non-text one is SESSION_INVALID', async ({
  url,
}) => {
  const [madeUp, number, logoutTwice] = await xmlRpc(url, [
    ['PCI.get_all', 'OpaqueRef:00000000-0000-0000-0000-000000000000'],
    ['PCI.get_all', 7],
    ['session.logout', 'OpaqueRef:NULL'],
  ]);
  assert.equal(madeUp, failure('SESSION_INVALID', 'OpaqueRef:00000000-0000-0000-0000-000000000000'));
  assert.equal(number, failure('SESSION_INVALID', '7'));
  assert.equal(logoutTwice, failure('SESSION_INVALID', 'OpaqueRef:NULL'));
});

test('one session serves both transports: logged in over JSON-RPC, used over XML-RPC', async ({ world, url }) => {
  const session = await jsonLogin(world);
  const [hosts] = await xmlRpc(url, [['host.get_all', session]]);
  assert.equal(hosts, success((await jsonRpc(world, 'host.get_all', [session])).result));
  assert.equal(await jsonRpc(world, 'session.logout', [session], 'bye'), { jsonrpc: '2.0', id: 'bye', result: '' });
  assert.equal(await jsonRpc(world, 'host.get_all', [session]), {
    jsonrpc: '2.0',
    id: 1,
    error: { code: 1, message: 'SESSION_INVALID', data: [session] },
  });
});

test('sessions live in memory: after a restart the old one is SESSION_INVALID and a new login works', async ({
  world,
}) => {
  const session = await jsonLogin(world);
  await world.restart();
  const url = await serve(world);
  const [stale, login] = await xmlRpc(url, [['PCI.get_all', session], LOGIN]);
  assert.equal(stale, failure('SESSION_INVALID', session));
  assert.is(login.Status, 'Success');
});

test('past the cap of open sessions, the oldest is dropped first', ({ world }) => {
  const sessions = new Sessions(world.passthru.access.tokens, 2);
  const [first, second, third] = [1, 2, 3].map(() => sessions.login('root', TOKEN).ref);
  assert.throws(() => sessions.require(first!), /SESSION_INVALID/);
  assert.is(sessions.require(second!).ref, second);
  assert.is(sessions.require(third!).ref, third);
});

test.run();
