import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchemaValidationError } from 'fastify';
import { badDocument, desiredState, type DesiredStateDocument } from '../../../domain/desired-state/document.ts';
import { readDocumentText } from '../../../domain/desired-state/document-text.ts';
import { commandContext } from '../context.ts';
import { DesiredStateDocument as DocumentSchema, PlanApplied, PlanParams, PlanView } from '../plan-schemas.ts';
import type { RouteOptions } from '../route-options.ts';
import { problems } from '../schemas.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Desired state: a document planned (`POST /v1/plans`), read back, and applied. */
export const planRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const { plans } = passthru;

  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, readDocumentText(body as string));
    } catch (error) {
      done(error as Error);
    }
  });

  app.post(
    '/v1/plans',
    {
      // Up to 256 entries, each with its reason: more than the other routes' bodies.
      bodyLimit: 64 * 1024,
      attachValidation: true,
      schema: { body: DocumentSchema, response: { 201: PlanView, ...problems(400, 401, 403, 502, 503) } },
    },
    async (request, reply) => {
      const invalid = request.validationError?.validation?.[0];
      if (invalid) throw badDocument(...whereAndWhat(invalid));
      const plan = await plans.make(desiredState(request.body as DesiredStateDocument), commandContext(request, 'pci'));
      return reply.code(201).send(plan);
    },
  );

  app.get(
    '/v1/plans/:id',
    { schema: { params: PlanParams, response: { 200: PlanView, ...problems(401, 404) } } },
    (request) => plans.read(request.params.id),
  );

  app.post(
    '/v1/plans/:id/apply',
    {
      schema: { params: PlanParams, response: { 200: PlanApplied, ...problems(401, 403, 404, 409, 502, 503) } },
    },
    (request) => plans.apply(request.params.id, commandContext(request, 'pci')),
  );
};

/** The JSON pointer of the field a schema error is about, and what is wrong with it. */
function whereAndWhat(error: FastifySchemaValidationError): [string, string] {
  const { missingProperty, additionalProperty } = error.params as Record<string, string | undefined>;
  if (missingProperty) return [`${error.instancePath}/${missingProperty}`, 'is missing'];
  if (additionalProperty) return [`${error.instancePath}/${additionalProperty}`, 'is not a field of the document'];
  return [error.instancePath, error.message ?? 'is not valid'];
}
