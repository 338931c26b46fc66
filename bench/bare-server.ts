import Fastify from 'fastify';

// The baseline of the status read benchmark: one constant route, no logging.
const app = Fastify();
app.get('/v1/pcis/:id/dom0-access', async (request) => ({
  id: (request.params as { id: string }).id,
  status: 'enabled',
}));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.stdout.write('listening\n');
