import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRole, type Role } from '../../domain/roles.ts';
import { invalidInput } from '../../domain/errors.ts';
import type { Principal, StoredToken, TokenSummary } from './types.ts';

export const tokensFile = (dataDir: string) => join(dataDir, 'tokens.json');

/**
 * A secret is 32 random bytes, so one unsalted SHA-256 is as strong as a slow
 * hash here, and cheap enough to run on every read.
 */
export const hashOf = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** More tokens than a host's readers use at once; past it the secrets are hashed afresh. */
const RECENT_SECRETS = 64;

interface Entry extends Principal {
  readonly hash: string;
  readonly createdAt: string;
  lastUsedMs: number | null;
}

/**
 * The named tokens, looked up by the hash of what a request presents: the
 * file (0600) holds hashes only; when each was last used is kept in memory
 * and written with the next change or `flush`, not on every read.
 */
export class TokenRegistry {
  private readonly byHash = new Map<string, Entry>();
  private readonly byName = new Map<string, Entry>();
  /**
   * Secrets that were valid when last presented, so a read need not hash its
   * token again: held no longer than the request that brings them is, in
   * spirit (the process sees every secret anyway), bounded, and each checked
   * against the registry on use, so a revoked or replaced token fails at once.
   */
  private readonly recent = new Map<string, Entry>();
  private unsaved = false;

  private constructor(readonly path: string) {}

  static open(path: string): TokenRegistry {
    const registry = new TokenRegistry(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return registry;
      throw error;
    }
    for (const stored of parseTokens(text, path)) {
      registry.add({
        name: stored.name,
        role: stored.role,
        hash: stored.hash,
        createdAt: stored.created_at,
        lastUsedMs: stored.last_used_at === null ? null : Date.parse(stored.last_used_at),
      });
    }
    return registry;
  }

  /** The token a secret is, marked used at `nowMs`; null for an unknown or revoked one. */
  authenticate(secret: string, nowMs: number): Principal | null {
    let entry = this.recent.get(secret);
    if (entry === undefined || this.byHash.get(entry.hash) !== entry) {
      this.recent.delete(secret);
      entry = this.byHash.get(hashOf(secret));
      if (!entry) return null;
      if (this.recent.size >= RECENT_SECRETS) this.recent.clear();
      this.recent.set(secret, entry);
    }
    entry.lastUsedMs = nowMs;
    this.unsaved = true;
    return entry;
  }

  find(name: string): Principal | undefined {
    return this.byName.get(name);
  }

  /** Whether the very token behind a principal is still valid: revoked, or replaced under the same name, it is not. */
  isValid(principal: Principal): boolean {
    return this.byName.get(principal.name) === principal;
  }

  list(): TokenSummary[] {
    return [...this.byName.values()]
      .map(summaryOf)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.name.localeCompare(b.name));
  }

  /** Adds a token, or gives a name a new secret; saved at once. */
  put(name: string, role: Role, secret: string, at: Date): void {
    const previous = this.byName.get(name);
    if (previous) this.byHash.delete(previous.hash);
    this.add({ name, role, hash: hashOf(secret), createdAt: at.toISOString(), lastUsedMs: null });
    this.save();
  }

  remove(name: string): void {
    const entry = this.byName.get(name);
    if (!entry) return;
    this.byName.delete(name);
    this.byHash.delete(entry.hash);
    this.save();
  }

  /** Whether `secret` is the one `name` holds now. */
  holds(name: string, secret: string): boolean {
    return this.byName.get(name)?.hash === hashOf(secret);
  }

  /** Writes when each token was last used, if any was since the last write. */
  flush(): void {
    if (this.unsaved) this.save();
  }

  private add(entry: Entry): void {
    this.byName.set(entry.name, entry);
    this.byHash.set(entry.hash, entry);
  }

  private save(): void {
    const stored: StoredToken[] = [...this.byName.values()].map((entry) => ({ ...summaryOf(entry), hash: entry.hash }));
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ tokens: stored }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
    this.unsaved = false;
  }
}

function summaryOf(entry: Entry): TokenSummary {
  return {
    name: entry.name,
    role: entry.role,
    created_at: entry.createdAt,
    last_used_at: entry.lastUsedMs === null ? null : new Date(entry.lastUsedMs).toISOString(),
  };
}

function parseTokens(text: string, path: string): StoredToken[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidInput(
      `${path} is not valid JSON; restore it from a backup, or remove it to start over with admin only`,
    );
  }
  const tokens = (parsed as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens)) throw invalidInput(`${path} holds no "tokens" list`);
  return tokens.map((token: Partial<StoredToken>, index) => {
    if (
      typeof token?.name !== 'string' ||
      !isRole(token.role) ||
      typeof token.hash !== 'string' ||
      typeof token.created_at !== 'string' ||
      !(token.last_used_at === null || typeof token.last_used_at === 'string')
    ) {
      throw invalidInput(`${path}: token ${index} is not { name, role, hash, created_at, last_used_at }`);
    }
    return token as StoredToken;
  });
}
