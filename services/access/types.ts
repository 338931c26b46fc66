import type { Role } from '../../domain/roles.ts';

/** Who presented a token: its name is the actor of what they change. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

/** A token as listed: never its secret, nor its hash. */
export interface TokenSummary extends Principal {
  readonly created_at: string;
  readonly last_used_at: string | null;
}

/** A token as stored: a SHA-256 of the secret, which is 32 random bytes (or the operator's PASSTHRU_TOKEN). */
export interface StoredToken extends TokenSummary {
  readonly hash: string;
}
