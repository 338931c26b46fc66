import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const tokenFile = (dataDir: string) => join(dataDir, 'token');

/** The configured token, else the one in the data dir, made on first use. */
export function resolveToken(configured: string | null, dataDir: string): string {
  if (configured) return configured;
  const path = tokenFile(dataDir);
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(32).toString('base64url');
  // 'w', not 'wx': an empty token file left by an interrupted first start is replaced.
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(path, 0o600);
  return token;
}
