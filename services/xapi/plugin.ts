import type { FastifyPluginAsync } from 'fastify';
import type { Passthru } from '../startup/passthru.ts';
import { jsonRpcRoutes } from './jsonrpc-routes.ts';
import { Methods } from './methods.ts';
import { Sessions } from './sessions.ts';
import { xmlRpcRoutes } from './xmlrpc-routes.ts';

export interface XapiOptions {
  readonly passthru: Passthru;
}

/** The XAPI wire facade: XML-RPC and JSON-RPC over one dispatch table and one set of sessions. */
export const xapiPlugin: FastifyPluginAsync<XapiOptions> = async (app, { passthru }) => {
  // The password of session.login_with_password is a passthru token.
  const methods = new Methods(passthru, new Sessions(passthru.access.tokens));
  // Before the server waits for requests in flight: long polls would hold a closing service up to their timeout.
  app.addHook('preClose', (done) => {
    methods.events.close();
    done();
  });
  await app.register(xmlRpcRoutes, { methods });
  await app.register(jsonRpcRoutes, { methods });
};
