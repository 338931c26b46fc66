import type { FastifyPluginAsync } from 'fastify';
import type { Passthru } from '../passthru.ts';
import { jsonRpcRoutes } from './jsonrpc-routes.ts';
import { Methods } from './methods.ts';
import { Sessions } from './sessions.ts';
import { xmlRpcRoutes } from './xmlrpc-routes.ts';

export interface XapiOptions {
  readonly passthru: Passthru;
  /** The service token, which is the password of session.login_with_password. */
  readonly token: string;
}

/** The XAPI wire facade: XML-RPC and JSON-RPC over one dispatch table and one set of sessions. */
export const xapiPlugin: FastifyPluginAsync<XapiOptions> = async (app, { passthru, token }) => {
  const methods = new Methods(passthru, new Sessions(token));
  // Before the server waits for requests in flight: long polls would hold a closing service up to their timeout.
  app.addHook('preClose', (done) => {
    methods.events.close();
    done();
  });
  await app.register(xmlRpcRoutes, { methods });
  await app.register(jsonRpcRoutes, { methods });
};
