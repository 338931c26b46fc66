import { randomUUID } from 'node:crypto';
import type { TokenRegistry } from '../access/token-registry.ts';
import type { Principal } from '../access/types.ts';
import { authenticationFailed, sessionInvalid } from './errors.ts';
import { asText, type RpcValue } from './values.ts';

export interface Session {
  readonly ref: string;
  /** Public, unlike the reference, which is a credential: this is what events record. */
  readonly uuid: string;
  /** The user name the client logged in with, as it said; the token decides what the session may do. */
  readonly user: string;
  readonly principal: Principal;
}

/**
 * Sessions live in memory only: a restart ends them all, as a toolstack
 * restart does in XAPI, and clients log in again. A session lives only as
 * long as its token: revoked, the session is invalid at its next call.
 * Logins that never log out cannot grow memory without bound, nor end other
 * tokens' sessions: past `perToken` sessions of one token, that token's own
 * least recently used one goes (as XAPI's db_gc.ml `timeout_sessions` keeps
 * each user name's sessions apart and drops the least recently active); past
 * the global `cap`, the least recently used of the token holding the most.
 * Dropping rather than refusing the login: a client that leaks sessions keeps
 * working, and the one it lost answers SESSION_INVALID, which XAPI's clients
 * (XenAPI.py, Xen Orchestra) meet by logging in again; a refused login would
 * lock out every client of that token until a restart.
 */
export class Sessions {
  /** Least recently used first: a call moves its session to the end. */
  private readonly open = new Map<string, Session>();
  private readonly perTokenCount = new Map<string, number>();

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly cap = 500,
    private readonly perToken = 100,
  ) {}

  /** The password is a passthru token; the session gets that token's role. */
  login(user: RpcValue, password: RpcValue): Session {
    const name = asText(user);
    const principal = typeof password === 'string' ? this.tokens.authenticate(password, Date.now()) : null;
    if (!principal) {
      throw authenticationFailed(name, 'Authentication failure: the password must be a passthru token');
    }
    const session = { ref: `OpaqueRef:${randomUUID()}`, uuid: randomUUID(), user: name, principal };
    this.open.set(session.ref, session);
    const count = this.count(principal.name, +1);
    if (count > this.perToken) this.dropLeastRecent(principal.name);
    if (this.open.size > this.cap) this.dropLeastRecent(this.largestHolder());
    return session;
  }

  require(ref: RpcValue): Session {
    const session = typeof ref === 'string' ? this.open.get(ref) : undefined;
    if (session && !this.tokens.isValid(session.principal)) this.end(session);
    else if (session) {
      this.open.delete(session.ref);
      this.open.set(session.ref, session);
      return session;
    }
    throw sessionInvalid(asText(ref));
  }

  logout(ref: RpcValue): void {
    this.end(this.require(ref));
  }

  private end(session: Session): void {
    this.open.delete(session.ref);
    this.count(session.principal.name, -1);
  }

  private count(token: string, change: number): number {
    const count = (this.perTokenCount.get(token) ?? 0) + change;
    if (count === 0) this.perTokenCount.delete(token);
    else this.perTokenCount.set(token, count);
    return count;
  }

  private largestHolder(): string {
    let largest = { token: '', count: 0 };
    for (const [token, count] of this.perTokenCount) if (count > largest.count) largest = { token, count };
    return largest.token;
  }

  private dropLeastRecent(token: string): void {
    for (const session of this.open.values()) {
      if (session.principal.name === token) return this.end(session);
    }
  }
}
