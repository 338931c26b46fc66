import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { authenticationFailed, sessionInvalid } from './errors.ts';
import { asText, type RpcValue } from './values.ts';

export interface Session {
  readonly ref: string;
  /** Public, unlike the reference, which is a credential: this is what events record. */
  readonly uuid: string;
  readonly user: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Sessions live in memory only: a restart ends them all, as a toolstack
 * restart does in XAPI, and clients log in again. Past the cap the oldest
 * session goes, so logins that never log out cannot grow memory without bound.
 */
export class Sessions {
  private readonly open = new Map<string, Session>();
  private readonly expected: Buffer;

  constructor(
    token: string,
    private readonly cap = 500,
  ) {
    this.expected = digest(token);
  }

  login(user: RpcValue, password: RpcValue): Session {
    const name = asText(user);
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (typeof password !== 'string' || !timingSafeEqual(digest(password), this.expected)) {
      throw authenticationFailed(name, 'Authentication failure: the password must be the service token');
    }
    const session = { ref: `OpaqueRef:${randomUUID()}`, uuid: randomUUID(), user: name };
    this.open.set(session.ref, session);
    for (const ref of this.open.keys()) {
      if (this.open.size <= this.cap) break;
      this.open.delete(ref);
    }
    return session;
  }

  require(ref: RpcValue): Session {
    const session = typeof ref === 'string' ? this.open.get(ref) : undefined;
    if (!session) throw sessionInvalid(asText(ref));
    return session;
  }

  logout(ref: RpcValue): void {
    this.open.delete(this.require(ref).ref);
  }
}
