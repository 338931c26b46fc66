import { createServer } from 'node:net';
import { PassthruError } from '../../domain/errors.ts';
import type { Config } from '../settings/config.ts';

/** A port held before the store is opened, so a second copy fails before it touches anything. */
export interface PortReservation {
  /** Lets the port go for the service to listen on it at once. */
  release(): Promise<void>;
}

export const portInUse = (port: number) =>
  new PassthruError('conflict', `port ${port} is in use: another passthru? use --port`, { port });

export const isPortInUse = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'EADDRINUSE';

export function reservePort(config: Config): Promise<PortReservation> {
  // Port 0 asks for any free port: there is nothing to hold, the listen picks one.
  if (config.port === 0) return Promise.resolve({ release: async () => {} });
  return new Promise((resolve, reject) => {
    // Nothing is served while held: a client that comes early is turned away, not kept waiting.
    // Unreferenced: a start that fails before the release still exits.
    const server = createServer((socket) => socket.destroy()).unref();
    server.once('error', (error) => reject(isPortInUse(error) ? portInUse(config.port) : error));
    server.listen({ port: config.port, host: config.bind, exclusive: true }, () =>
      resolve({ release: () => new Promise((done) => server.close(() => done())) }),
    );
  });
}
