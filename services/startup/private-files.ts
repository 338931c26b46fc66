import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { invalidInput } from '../../domain/errors.ts';
import { tokensFile } from '../access/token-registry.ts';
import type { Config } from '../settings/config.ts';
import { checkpointFile } from '../read/projector.ts';
import { generatedTlsFiles } from '../tls/tls-mode.ts';
import { tokenFile } from '../access/admin-token.ts';

const OTHERS = 0o077;
const OTHERS_READ = 0o044;

/**
 * Checked at every start. What only needs to be private (the data directory,
 * the store, the checkpoint, the token list of hashes) is tightened, with a
 * warning. A secret (the admin token, a TLS key) that others could read is
 * refused: tightening it now would not undo a copy already taken, so the
 * operator must replace it before the service uses it again.
 */
export function securePrivateFiles(config: Config, log: Logger): void {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  tighten(config.dataDir, 0o700, log);
  const sqlite = config.store.startsWith('sqlite:') ? config.store.slice('sqlite:'.length) : null;
  const privateFiles = [
    ...(sqlite ? [sqlite, `${sqlite}-wal`, `${sqlite}-shm`] : []),
    checkpointFile(config.dataDir),
    tokensFile(config.dataDir),
  ];
  for (const path of privateFiles) tighten(path, 0o600, log);
  const secrets = [tokenFile(config.dataDir), config.tlsKey ?? generatedTlsFiles(config.dataDir).key];
  for (const path of secrets) refuseIfReadable(path);
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function tighten(path: string, wanted: number, log: Logger): void {
  const mode = modeOf(path);
  if (mode === null || (mode & OTHERS) === 0) return;
  chmodSync(path, wanted);
  log.warn({ path, was: octal(mode), now: octal(wanted) }, 'other users could read this: made private');
}

function refuseIfReadable(path: string): void {
  const mode = modeOf(path);
  if (mode === null || (mode & OTHERS_READ) === 0) return;
  throw invalidInput(
    `${path} is readable by other users (mode ${octal(mode)}), so its secret may be known: ` +
      `replace it (remove a token file or a generated key and passthru makes a new one) and chmod 600 what you give, then start again`,
  );
}

const octal = (mode: number) => `0${mode.toString(8)}`;
