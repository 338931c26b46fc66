import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MalformedRequest, transportFault } from './errors.ts';
import type { Methods } from './methods.ts';
import { markRequest } from '../log/request-mark.ts';
import { decodeMethodCall, encodeFault, encodeResponse, encodeSuccess } from './xmlrpc-codec.ts';

// Exactly XAPI's media type: Xen Orchestra's connector accepts text/xml or application/xml and nothing else.
const XML = 'text/xml';
const MethodCallXml = Type.String({
  description: 'an XML-RPC <methodCall>',
  examples: [
    '<methodCall><methodName>PCI.get_all</methodName><params><param><value>OpaqueRef:...</value></param></params></methodCall>',
  ],
});
const MethodResponseXml = Type.String({
  description:
    'an XML-RPC <methodResponse>: a struct {Status: Success, Value} or {Status: Failure, ErrorDescription: [CODE, params...]}; a <fault> when the body is no methodCall',
});

/**
 * XAPI over XML-RPC, at `/` and at `/RPC2`, where Python's xmlrpc.client
 * (and so XenAPI.py) posts when the URL has no path, and at `/xmlrpc`, where
 * Xen Orchestra's connector does.
 */
export const xmlRpcRoutes: FastifyPluginAsyncTypebox<{ methods: Methods }> = async (app, { methods }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  // Whatever goes wrong before the handler (size, media type) is still answered in XML-RPC.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const fault = transportFault(error);
    if (fault.unexpected) request.log.error({ err: error }, 'XML-RPC request failed unexpectedly');
    return reply.code(fault.status).type(XML).send(encodeFault(fault.code, fault.message));
  });

  const schema = {
    tags: ['XAPI'],
    summary: 'XAPI over XML-RPC',
    body: { content: { 'text/xml': { schema: MethodCallXml }, 'application/xml': { schema: MethodCallXml } } },
    response: { 200: { content: { 'text/xml': { schema: MethodResponseXml } } } },
  };
  for (const url of ['/', '/RPC2', '/xmlrpc']) {
    // XAPI's own sessions authenticate each call, not a bearer token.
    app.post(url, { schema, config: { access: 'session' } }, async (request, reply) => {
      reply.type(XML);
      let call;
      try {
        call = decodeMethodCall(typeof request.body === 'string' ? request.body : '');
      } catch (error) {
        if (error instanceof MalformedRequest) return encodeFault(error.faultCode, error.message);
        throw error;
      }
      const outcome = await methods.outcome(call.method, call.params, { ip: request.ip, correlationId: request.id });
      markRequest(request, methods.mark(call.method, outcome));
      return outcome.ok
        ? encodeSuccess(outcome.value)
        : encodeResponse({ Status: 'Failure', ErrorDescription: outcome.failure.description });
    });
  }
};
