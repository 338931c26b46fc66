import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, READER_TOKEN, TOKEN, World } from '../support/world.ts';
import { failure, jsonRpc, LOGIN, serve, success, xmlRpc } from './support.ts';

const test = suite<{ world: World; url: string }>('XAPI: sessions take the role of the token they logged in with');
test.before.each(async (context) => {
  context.world = await World.start();
  await context.world.addReader();
  context.url = await serve(context.world);
});
test.after.each(async ({ world }) => world.close());

const DENIED = (method: string) =>
  failure('RBAC_PERMISSION_DENIED', method, 'No permission in user session. (Roles with this permission: operator)');
const readerLogin = ['session.login_with_password', 'xo', READER_TOKEN, '2.21', 'tests'];

test('over XML-RPC (Python xmlrpc.client), a read-only session reads, and is denied each change as XAPI denies it', async ({
  world,
  url,
}) => {
  const [login, status, disable, enable, pgpu] = await xmlRpc(url, [
    readerLogin,
    ['PCI.get_dom0_access_status', '$session', `$PCI:${GPU.id}`],
    ['PCI.disable_dom0_access', '$session', `$PCI:${GPU.id}`],
    ['PCI.enable_dom0_access', '$session', `$PCI:${GPU.id}`],
    ['PGPU.disable_dom0_access', '$session', `$PGPU:${GPU.id}`],
  ]);
  assert.is(login.Status, 'Success');
  assert.equal(status, success('enabled'));
  assert.equal(disable, DENIED('pci.disable_dom0_access'));
  assert.equal(enable, DENIED('pci.enable_dom0_access'));
  assert.equal(pgpu, DENIED('pgpu.disable_dom0_access'));
  assert.is(await world.status(GPU.id), 'enabled', 'nothing changed');
});

test('over JSON-RPC, the same: reads answer, changes are RBAC_PERMISSION_DENIED, and an operator token may change', async ({
  world,
}) => {
  const session = (await jsonRpc(world, 'session.login_with_password', readerLogin.slice(1))).result;
  const refs = (await jsonRpc(world, 'PCI.get_all', [session])).result;
  assert.ok(refs.length > 0);
  const denied = await jsonRpc(world, 'PCI.disable_dom0_access', [session, refs[0]]);
  assert.equal(denied.error, {
    code: 1,
    message: 'RBAC_PERMISSION_DENIED',
    data: DENIED('pci.disable_dom0_access').ErrorDescription.slice(1),
  });
  const operator = (await jsonRpc(world, 'session.login_with_password', ['root', TOKEN])).result;
  assert.ok((await jsonRpc(world, 'PCI.disable_dom0_access', [operator, refs[0]])).result);
});

test('a wrong token cannot log in over either transport', async ({ world, url }) => {
  const [xml] = await xmlRpc(url, [['session.login_with_password', 'root', `${READER_TOKEN}x`]]);
  assert.is(xml.ErrorDescription[0], 'SESSION_AUTHENTICATION_FAILED');
  const json = await jsonRpc(world, 'session.login_with_password', ['root', 'wrong']);
  assert.is(json.error.message, 'SESSION_AUTHENTICATION_FAILED');
});

test('revoking a token ends its sessions at once, over both transports', async ({ world, url }) => {
  const [xmlLogin] = await xmlRpc(url, [readerLogin]);
  const jsonSession = (await jsonRpc(world, 'session.login_with_password', readerLogin.slice(1))).result;
  const revoked = await world.request({
    method: 'DELETE',
    url: '/v1/tokens/reader',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.is(revoked.statusCode, 200);
  const [xmlAfter, relogin] = await xmlRpc(url, [['host.get_all', xmlLogin.Value], readerLogin]);
  assert.equal(xmlAfter, failure('SESSION_INVALID', xmlLogin.Value));
  assert.is(relogin.ErrorDescription[0], 'SESSION_AUTHENTICATION_FAILED');
  const jsonAfter = await jsonRpc(world, 'host.get_all', [jsonSession]);
  assert.equal(jsonAfter.error.data, [jsonSession]);
  assert.is(jsonAfter.error.message, 'SESSION_INVALID');
});

test('the XAPI routes need no bearer token: their sessions are the credential', async ({ world }) => {
  const answer = await jsonRpc(world, 'session.login_with_password', ['root', TOKEN]);
  assert.ok(answer.result);
});

test('over XML-RPC, a read-only token that logs in 600 times and never logs out ends none of the operator’s sessions, only its own oldest', async ({
  url,
}) => {
  const [operator] = await xmlRpc(url, [LOGIN]);
  const [used] = await xmlRpc(url, [readerLogin]);
  const logins = await xmlRpc(url, [
    ...Array.from({ length: 300 }, () => readerLogin),
    // The reader's first session, used now, is its most recent: it outlives the 300 above.
    ['host.get_all', used.Value],
    ...Array.from({ length: 300 }, () => readerLogin),
  ]);
  const [operatorCall, usedCall, oldest, newest] = await xmlRpc(url, [
    ['host.get_all', operator.Value],
    ['host.get_all', used.Value],
    ['host.get_all', logins[0].Value],
    ['host.get_all', logins[600].Value],
  ]);
  assert.is(operatorCall.Status, 'Success', 'the operator’s session lives');
  assert.is(newest.Status, 'Success');
  assert.equal(oldest, failure('SESSION_INVALID', logins[0].Value), 'the reader’s least recently used went');
  assert.equal(
    usedCall,
    failure('SESSION_INVALID', used.Value),
    'a hundred logins later, it was the least recently used in turn',
  );
});

test.run();
