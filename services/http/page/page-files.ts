import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** One file of the built page, kept in memory with its gzip form, since each is small and asked often. */
export interface PageFile {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The operator page as `npm run build` leaves it: its HTML, and assets whose names carry their content hash. */
export interface PageFiles {
  readonly html: PageFile;
  readonly assets: ReadonlyMap<string, PageFile>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The source (run through tsx) and the compiled service (under dist/) sit at
 * different depths; both belong to the package whose root holds package.json.
 */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PAGE_DIR = join(packageRoot(dirname(fileURLToPath(import.meta.url))), 'dist', 'page');

function pageFile(path: string): PageFile {
  const body = readFileSync(path);
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    type: TYPES[extname(path)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/** The built page, or null when it was never built (the service still serves its API). */
export function loadPageFiles(dir: string = PAGE_DIR): PageFiles | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const assetDir = join(dir, 'assets');
  const names = existsSync(assetDir) ? readdirSync(assetDir) : [];
  return {
    html: pageFile(join(dir, 'index.html')),
    assets: new Map(names.map((name) => [name, pageFile(join(assetDir, name))])),
  };
}
