import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RouteOptions } from '../route-options.ts';
import { loadPageFiles, type PageFile } from '../page/page-files.ts';
import { sendProblem } from '../problem.ts';
import { problems } from '../schemas.ts';

// The page talks only to its own origin; its token lives in the tab, so nothing else may run or frame it.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Whether a header such as Accept or Accept-Encoding lists `wanted` with a quality above 0. */
export function accepts(header: string | undefined, wanted: string): boolean {
  return (header ?? '').split(',').some((range) => {
    const [name = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const quality = parameters.find((p) => p.startsWith('q='));
    return name === wanted && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: PageFile, headers: Record<string, string>) {
  const gzip = accepts(request.headers['accept-encoding'], 'gzip');
  reply.headers({ ...headers, 'content-type': file.type, etag: file.etag, 'x-content-type-options': 'nosniff' });
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? file.gzip : file.body);
}

const Html = Type.String({ description: 'the operator page' });
const PageHeaders = Type.Object({ accept: Type.Optional(Type.String()) });
const AssetParams = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}\\.[a-z0-9]{1,8}$', description: 'a hashed asset name' }),
});
const Asset = Type.String({ description: 'a script, style sheet or image of the page' });

/**
 * The operator page at `GET /` for a browser (XML-RPC keeps `POST /`), and
 * its assets, whose hashed names let them be cached for good while the page
 * itself is revalidated on every load.
 */
export const pageRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app) => {
  const page = loadPageFiles();
  if (!page) app.log.warn('the operator page is not built (npm run build): GET / answers 503 to browsers');

  // Public: the page holds no data of its own, and a browser must load it to sign in.
  app.get(
    '/',
    {
      config: { access: 'public' },
      // Kept out of the OpenAPI document, as /openapi.json is: it is the browser's entry, not part of the REST API.
      schema: {
        hide: true,
        summary: 'the operator page, for a client that accepts text/html',
        headers: PageHeaders,
        response: { 200: { content: { 'text/html': { schema: Html } } }, 304: Type.Null(), ...problems(404, 503) },
      },
    },
    async (request, reply) => {
      if (!accepts(request.headers.accept, 'text/html')) return reply.callNotFound();
      if (!page) return sendProblem(reply, request, 503, 'the operator page is not built: run npm run build');
      return sendFile(request, reply, page.html, {
        'cache-control': 'no-cache',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'referrer-policy': 'no-referrer',
        vary: 'Accept, Accept-Encoding',
      });
    },
  );

  app.get(
    '/assets/:name',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        summary: 'an asset of the operator page',
        params: AssetParams,
        response: { 200: { content: { '*/*': { schema: Asset } } }, 304: Type.Null(), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const file = page?.assets.get(request.params.name);
      if (!file) return sendProblem(reply, request, 404, `no page asset ${request.params.name}`);
      return sendFile(request, reply, file, { 'cache-control': IMMUTABLE, vary: 'Accept-Encoding' });
    },
  );
};
