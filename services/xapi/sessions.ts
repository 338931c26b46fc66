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
 * long as its token: revoked, the session is invalid at its next call. Past
 * the cap the oldest session goes, so logins that never log out cannot grow
 * memory without bound.
 */
export class Sessions {
  private readonly open = new Map<string, Session>();

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly cap = 500,
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
    for (const ref of this.open.keys()) {
      if (this.open.size <= this.cap) break;
      this.open.delete(ref);
    }
    return session;
  }

  require(ref: RpcValue): Session {
    const session = typeof ref === 'string' ? this.open.get(ref) : undefined;
    if (session && !this.tokens.isValid(session.principal)) this.open.delete(session.ref);
    else if (session) return session;
    throw sessionInvalid(asText(ref));
  }

  logout(ref: RpcValue): void {
    this.open.delete(this.require(ref).ref);
  }
}
