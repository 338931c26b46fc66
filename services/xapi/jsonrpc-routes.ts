import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { MalformedRequest, transportFault } from './errors.ts';
import { idOf, jsonRpcError, jsonRpcFailure, jsonRpcResult, jsonRpcText, versionOf } from './jsonrpc.ts';
import type { Methods } from './methods.ts';
import { markRequest } from '../log/request-mark.ts';
import { MAX_NESTING, nestedTooDeep, type RpcValue } from './values.ts';

const Id = Type.Union([Type.String(), Type.Number(), Type.Null()]);
// XAPI's clients check the media type exactly: Xen Orchestra's connector takes anything else for a host without JSON-RPC.
const JSON_TYPE = 'application/json';
const JsonRpcRequest = Type.Object({
  jsonrpc: Type.Optional(Type.Literal('2.0', { description: 'absent for JSON-RPC 1.0, answered in 1.0 form' })),
  method: Type.String({ minLength: 1, maxLength: 128, examples: ['PCI.get_dom0_access_status'] }),
  params: Type.Optional(
    Type.Array(Type.Unknown(), {
      description: 'positional: the session reference first, except for session.login_with_password',
    }),
  ),
  id: Type.Optional(Id),
});
const JsonRpcResponse = Type.Object({
  jsonrpc: Type.Optional(Type.Literal('2.0')),
  result: Type.Optional(Type.Unknown({ description: 'null on failure in 1.0 form' })),
  error: Type.Optional(
    Type.Union([
      Type.Null({ description: 'JSON-RPC 1.0, on success' }),
      Type.Object({
        code: Type.Integer({
          description: '1 for an XAPI failure, else a JSON-RPC 2.0 code (-32700 parse error, -32600 invalid request)',
        }),
        message: Type.String({ description: 'the XAPI error code, e.g. HANDLE_INVALID' }),
        data: Type.Optional(Type.Array(Type.String(), { description: 'the XAPI error parameters' })),
      }),
      Type.Array(Type.String(), { description: 'JSON-RPC 1.0: the XAPI ErrorDescription, code first' }),
    ]),
  ),
  id: Id,
});

/** XAPI over JSON-RPC 2.0 at `/jsonrpc`, with XAPI's error encoding. */
export const jsonRpcRoutes: FastifyPluginAsyncTypebox<{ methods: Methods }> = async (app, { methods }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new MalformedRequest('parse', 'the body is not valid JSON'), undefined);
    }
  });
  // Checked as written: fastify's shared validator would coerce a wrong type into a right one.
  app.setValidatorCompiler(({ schema }) => {
    const validator = Compile(schema as TSchema);
    return (data: unknown) => {
      if (nestedTooDeep(data)) {
        return { error: new MalformedRequest('invalid', `request: values nested deeper than ${MAX_NESTING}`) };
      }
      if (validator.Check(data)) return { value: data };
      const [first] = validator.Errors(data);
      return {
        error: new MalformedRequest('invalid', `request${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`),
      };
    };
  });
  app.setSerializerCompiler(() => (answer) => jsonRpcText(answer as Record<string, unknown>));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const id = idOf(request.body);
    const version = versionOf(request.body);
    if (error instanceof MalformedRequest)
      return reply.code(200).send(jsonRpcError(id, error.faultCode, error.message, version));
    const fault = transportFault(error);
    if (fault.unexpected) request.log.error({ err: error }, 'JSON-RPC request failed unexpectedly');
    return reply.code(fault.status).send(jsonRpcError(id, fault.code, fault.message, version));
  });

  // Set once the body is serialized: set before, fastify would add a charset parameter.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('content-type', JSON_TYPE);
    done(null, payload);
  });

  app.post(
    '/jsonrpc',
    {
      // XAPI's own sessions authenticate each call, not a bearer token.
      config: { access: 'session' },
      schema: {
        tags: ['XAPI'],
        summary: 'XAPI over JSON-RPC 2.0 (and 1.0)',
        body: JsonRpcRequest,
        response: { 200: JsonRpcResponse },
      },
    },
    async (request) => {
      const { method, params = [], id = null } = request.body;
      const version = versionOf(request.body);
      // Parsed JSON holds only strings, numbers, booleans, null, arrays and objects: RpcValues.
      const outcome = await methods.outcome(method, params as RpcValue[], {
        ip: request.ip,
        correlationId: request.id,
      });
      markRequest(request, methods.mark(method, outcome));
      return outcome.ok ? jsonRpcResult(id, outcome.value, version) : jsonRpcFailure(id, outcome.failure, version);
    },
  );
};
