import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startService, stopService } from '../support/service-process.ts';
import { eventually } from '../support/eventually.ts';
import { SseClient } from '../support/sse.ts';
import { scratch, TOKEN } from './support.ts';

const GPU = '0000:03:00.0';
/** A bound on what should end at once; a socket still open past it is held for good. */
const SAFETY_MS = 20_000;

const test = suite('slow clients: a slowloris is cut off, held answers are not, connections are capped');

/** A raw TCP client on the service's port: what a slowloris sends, byte by byte. */
async function rawSocket(url: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  // A reset is a close too: what was received before it is what the test reads.
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`still open after ${SAFETY_MS} ms`)), SAFETY_MS);
    socket.once('close', () => {
      clearTimeout(bound);
      resolve(received);
    });
  });
  return { socket, closed };
}

async function rpc(url: string, method: string, params: unknown[]): Promise<any> {
  const response = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await response.json()) as { result: any }).result;
}

test('given a client that sends one byte of a body or half its headers, then it is answered 408 and closed, while held streams and long polls go on', async () => {
  const { dir, env } = scratch('passthru-slow-', { PASSTHRU_REQUEST_TIMEOUT_MS: '300' });
  const service = await startService(env as Record<string, string>);
  try {
    // Held answers, opened first: the SSE feed and an event.from long poll waiting for the next change.
    const stream = await SseClient.open(`${service.url}/v1/events/stream`, { authorization: `Bearer ${TOKEN}` });
    const session = await rpc(service.url, 'session.login_with_password', ['root', TOKEN]);
    const first = await rpc(service.url, 'event.from', [session, ['pci'], '', 0]);
    const longPoll = rpc(service.url, 'event.from', [session, ['pci'], first.token, 30]);

    const body = await rawSocket(service.url);
    body.socket.write(
      `POST /v1/pcis/${GPU}/hide HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{',
    );
    const headers = await rawSocket(service.url);
    headers.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    assert.match(await body.closed, /^HTTP\/1\.1 408 /);
    assert.match(await headers.closed, /^HTTP\/1\.1 408 /);

    assert.is((await fetch(`${service.url}/healthz`)).status, 200, 'others are answered');
    const hide = await fetch(`${service.url}/v1/pcis/${GPU}/hide`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.is(hide.status, 200);
    const polled = await longPoll;
    assert.ok(
      polled.events.some((e: { snapshot: { pci_id?: string } }) => e.snapshot.pci_id === GPU),
      'the long poll, held past the request timeout, answers the change',
    );
    await stream.until((s) => s.entries().some((e) => e.type === 'Dom0AccessDisabled'), 'the hide on the stream');
    stream.close();
  } finally {
    await stopService(service);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('given the connection cap reached, when one more connects, then it is closed unanswered; once they leave, others are served', async () => {
  const { dir, env } = scratch('passthru-cap-', { PASSTHRU_MAX_CONNECTIONS: '2' });
  const service = await startService(env as Record<string, string>);
  try {
    // Three clients each half-way through a request, beside whatever this process keeps alive: one is over the cap.
    const clients = [await rawSocket(service.url), await rawSocket(service.url), await rawSocket(service.url)];
    for (const { socket } of clients) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const turnedAway = await Promise.race(clients.map(({ closed }) => closed));
    assert.is(turnedAway, '', 'closed with no answer');
    for (const { socket, closed } of clients) {
      socket.destroy();
      await closed;
    }
    await eventually(
      () =>
        fetch(`${service.url}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      'a client served once the others left',
    );
  } finally {
    await stopService(service);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
