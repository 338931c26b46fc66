import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import Fastify from 'fastify';

/**
 * The baseline of the watcher benchmark: a bare fastify holding the same
 * watchers (event.from long polls at /jsonrpc, streams at
 * /v1/events/stream), that on POST /change answers each with the bytes
 * passthru sends for a change, stamped with the time and encoded once. It
 * stores nothing and checks nothing: what is left is the fan-out itself.
 */
interface Templates {
  /** An event.from answer with its events, as passthru sent it. */
  readonly answer: { result: { events: { timestamp: string }[] } };
  /** A /v1/events entry, the data of an SSE message. */
  readonly entry: { stored_at: string; position: number };
}

const templates = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Templates;
const polls = new Set<ServerResponse>();
const streams = new Set<ServerResponse>();

const app = Fastify();
app.post('/jsonrpc', (request, reply) => {
  reply.hijack();
  polls.add(reply.raw);
  reply.raw.on('close', () => polls.delete(reply.raw));
});
app.get('/v1/events/stream', (request, reply) => {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  reply.raw.write(': bare stream\n\n');
  streams.add(reply.raw);
  reply.raw.on('close', () => streams.delete(reply.raw));
});
// A long poll sent just before a change may reach the server just after it, and a bare server keeps no
// history to answer it from: the change waits until all `watchers` are held, and is timed from then.
app.post('/change', async (request) => {
  const watchers = Number((request.query as { watchers?: string }).watchers ?? 0);
  const deadline = Date.now() + 30_000;
  while (polls.size + streams.size < watchers) {
    if (Date.now() > deadline) throw new Error(`only ${polls.size + streams.size} of ${watchers} watchers came`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const at = new Date();
  const answer = structuredClone(templates.answer);
  for (const event of answer.result.events) event.timestamp = (at.getTime() / 1000).toFixed(3);
  const body = JSON.stringify(answer);
  const entry = { ...templates.entry, stored_at: at.toISOString() };
  const message = `id: ${entry.position}\ndata: ${JSON.stringify(entry)}\n\n`;
  for (const stream of streams) stream.write(message);
  const waiting = [...polls];
  polls.clear();
  for (const poll of waiting) {
    poll.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    poll.end(body);
  }
  return { answered: waiting.length, streams: streams.size };
});
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.stdout.write('listening\n');
