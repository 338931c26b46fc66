import { randomBytes } from 'node:crypto';
import { conflict, invalidInput, notFound } from '../../domain/errors.ts';
import { isServiceActor, SERVICE_ACTORS } from '../../domain/actors.ts';
import { ADMIN_TOKEN, TOKEN_NAME, type Role } from '../../domain/roles.ts';
import type { AppendedEvent, CommandContext, Recorder } from '../write/recorder.ts';
import { Serial } from '../concurrency/serial.ts';
import type { TokenRegistry } from './token-registry.ts';
import type { TokenSummary } from './types.ts';

const FLUSH_MS = 60_000;

export interface Issued {
  readonly token: TokenSummary;
  /** Shown once, to the one who asked for it; never stored or recorded. */
  readonly secret: string;
  readonly event: AppendedEvent;
}

/**
 * Issuing and revoking tokens, each recorded (who, when, which name and role)
 * before it takes effect, one at a time so two asks for one name cannot both win.
 */
export class Access {
  private readonly lane = new Serial();
  private readonly flusher: NodeJS.Timeout;

  constructor(
    readonly tokens: TokenRegistry,
    private readonly recorder: Recorder,
    private readonly now: () => Date,
  ) {
    this.flusher = setInterval(() => tokens.flush(), FLUSH_MS).unref();
  }

  /** The admin token holds the configured secret: made at first start, given the new secret when it changed. */
  ensureAdmin(secret: string): Promise<AppendedEvent | null> {
    return this.lane.run(async () => {
      if (this.tokens.holds(ADMIN_TOKEN, secret)) return null;
      return this.recorder.appendToTokens(
        { type: 'TokenIssued', data: { name: ADMIN_TOKEN, role: 'operator' } },
        { actor: SERVICE_ACTORS.start, correlationId: 'start', extra: { trigger: 'start' } },
        () => this.tokens.put(ADMIN_TOKEN, 'operator', secret, this.now()),
      );
    });
  }

  issue(name: string, role: Role, context: CommandContext): Promise<Issued> {
    if (!TOKEN_NAME.test(name)) {
      throw invalidInput(
        `a token name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`,
      );
    }
    if (isServiceActor(name)) {
      throw invalidInput(
        `${name} is a name the service records its own changes under (${Object.values(SERVICE_ACTORS).join(', ')}): a token's changes would read as the service's; pick another name`,
        { name },
      );
    }
    return this.lane.run(async () => {
      if (this.tokens.find(name)) throw conflict(`a token named ${name} exists; revoke it first or pick another name`);
      const secret = randomBytes(32).toString('base64url');
      const event = await this.recorder.appendToTokens({ type: 'TokenIssued', data: { name, role } }, context, () =>
        this.tokens.put(name, role, secret, this.now()),
      );
      return { token: this.tokens.list().find((token) => token.name === name)!, secret, event };
    });
  }

  revoke(name: string, context: CommandContext): Promise<{ token: TokenSummary; event: AppendedEvent }> {
    return this.lane.run(async () => {
      const token = this.tokens.list().find((listed) => listed.name === name);
      if (!token) throw notFound(`no token named ${name}`, { name });
      if (name === ADMIN_TOKEN) {
        throw conflict(
          'admin is the service’s own token: to change its secret, set PASSTHRU_TOKEN or remove the token file, then restart',
        );
      }
      const event = await this.recorder.appendToTokens(
        { type: 'TokenRevoked', data: { name, role: token.role } },
        context,
        () => this.tokens.remove(name),
      );
      return { token, event };
    });
  }

  close(): void {
    clearInterval(this.flusher);
    this.tokens.flush();
  }
}
