import type { Passthru } from '../startup/passthru.ts';
import type { Caller, MethodSpec } from './call.ts';
import { permits, ROLES } from '../../domain/roles.ts';
import { failureOf, methodUnknown, parameterCountMismatch, rbacPermissionDenied, type XapiFailure } from './errors.ts';
import { eventMethods } from './events/event-methods.ts';
import { EventSystem } from './events/event-system.ts';
import { hostMethods } from './host-methods.ts';
import { pciMethods } from './pci-methods.ts';
import { pgpuMethods } from './pgpu-methods.ts';
import { Refs } from './refs.ts';
import type { Sessions } from './sessions.ts';
import { taskMethods } from './task-methods.ts';
import type { RpcValue } from './values.ts';
import type { RequestMark } from '../log/request-mark.ts';

const LOGIN = 'session.login_with_password';
// Introspection, as XAPI answers it without a session: Xen Orchestra's connector learns the classes from it.
const LIST_METHODS = 'system.listMethods';

export type Outcome =
  { readonly ok: true; readonly value: RpcValue } | { readonly ok: false; readonly failure: XapiFailure };

/**
 * The dispatch table of the XAPI calls passthru serves, checked in XAPI's
 * order: the method exists, the parameter count matches, the session is
 * valid, its token's role allows the call.
 */
export class Methods {
  private readonly table: ReadonlyMap<string, MethodSpec>;

  private readonly log: Passthru['log'];

  readonly events: EventSystem;

  constructor(
    passthru: Passthru,
    private readonly sessions: Sessions,
  ) {
    this.log = passthru.log;
    const deps = { passthru, refs: new Refs(passthru.config.hostId) };
    this.events = new EventSystem(passthru, deps.refs);
    this.table = new Map(
      Object.entries({
        ...pciMethods(deps),
        ...pgpuMethods(deps),
        ...hostMethods(deps),
        ...taskMethods(),
        ...eventMethods(passthru, deps.refs, this.events),
        'session.logout': { arity: 0, run: (_, call) => (sessions.logout(call.session.ref), '') },
      }),
    );
  }

  /** The call's value, or the XAPI failure to answer instead. */
  async outcome(method: string, params: readonly RpcValue[], caller: Caller): Promise<Outcome> {
    try {
      return { ok: true, value: await this.call(method, params, caller) };
    } catch (error) {
      const { failure, unexpected } = failureOf(error);
      if (unexpected)
        this.log.error(
          { err: error, rpc_method: method, correlation_id: caller.correlationId },
          'XAPI call failed unexpectedly',
        );
      return { ok: false, failure };
    }
  }

  /** What a call does, for its request's log line: a session's start and end and every change get one at info. */
  mark(method: string, outcome: Outcome): RequestMark {
    const spec = this.table.get(method);
    const kind =
      method === LOGIN || method === 'session.logout' || spec?.role === 'operator'
        ? 'change'
        : spec?.waits
          ? 'wait'
          : 'read';
    return outcome.ok
      ? { kind, fields: { rpc_method: method } }
      : { kind, fields: { rpc_method: method, xapi_error: outcome.failure.code }, refused: true };
  }

  private async call(method: string, params: readonly RpcValue[], caller: Caller): Promise<RpcValue> {
    if (method === LOGIN) {
      // version and originator are optional, as older XAPI scripts leave them out; passthru has no use for them.
      if (params.length < 2 || params.length > 4) throw parameterCountMismatch(LOGIN, 4, params.length);
      const [user = null, password = null] = params;
      return this.sessions.login(user, password).ref;
    }
    if (method === LIST_METHODS) {
      if (params.length !== 0) throw parameterCountMismatch(LIST_METHODS, 0, params.length);
      return [LOGIN, LIST_METHODS, ...this.table.keys()].sort();
    }
    const spec = this.table.get(method);
    if (!spec) throw methodUnknown(method);
    if (params.length !== spec.arity + 1) throw parameterCountMismatch(method, spec.arity + 1, params.length);
    const [ref = null, ...args] = params;
    const session = this.sessions.require(ref);
    const needed = spec.role ?? 'read-only';
    if (!permits(session.principal.role, needed)) {
      throw rbacPermissionDenied(
        method,
        ROLES.filter((role) => permits(role, needed)),
      );
    }
    return spec.run(args, { ...caller, method, session, requireSession: () => this.sessions.require(ref) });
  }
}
