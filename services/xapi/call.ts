import type { CommandName } from '../../domain/events.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { Role } from '../../domain/roles.ts';
import { xapiDom0Access, type XapiDom0Access } from '../../domain/xapi-status.ts';
import type { Passthru } from '../startup/passthru.ts';
import type { Refs } from './refs.ts';
import type { Session } from './sessions.ts';
import type { RpcValue } from './values.ts';

/** Who sent an RPC, as the transport knows it. */
export interface Caller {
  readonly ip: string;
  readonly correlationId: string;
}

/** One RPC, after its session was checked. */
export interface Call extends Caller {
  readonly method: string;
  readonly session: Session;
  /** Throws SESSION_INVALID once the session has ended (its token revoked), for a call that waits. */
  requireSession(): void;
}

export interface MethodSpec {
  /** How many parameters follow the session reference. */
  readonly arity: number;
  /** The least role a session needs; a read (read-only) when unset. */
  readonly role?: Role;
  /** Answers only once something changes or its timeout passes: a long poll, slow by design. */
  readonly waits?: true;
  run(args: readonly RpcValue[], call: Call): RpcValue | Promise<RpcValue>;
}

export type MethodTable = Record<string, MethodSpec>;

export interface MethodDeps {
  readonly passthru: Passthru;
  readonly refs: Refs;
}

const USER = /^[\x21-\x7e]{1,64}$/;

/**
 * Hide or unhide through the same command path as REST, recording the RPC and
 * its session; answers the status after it, by XAPI's name.
 */
export function dom0AccessCommand(
  passthru: Passthru,
  name: CommandName,
  pciOf: (ref: RpcValue) => PciAddress | Promise<PciAddress>,
): MethodSpec {
  return {
    arity: 1,
    role: 'operator',
    run: async ([ref = null], call): Promise<XapiDom0Access> => {
      const outcome = await passthru.commands.execute(
        { name, pci: await pciOf(ref), via: 'xapi' },
        {
          actor: call.session.principal.name,
          correlationId: call.correlationId,
          extra: {
            via: 'xapi',
            rpc_method: call.method,
            session: call.session.uuid,
            ...(USER.test(call.session.user) ? { xapi_user: call.session.user } : {}),
          },
        },
      );
      return xapiDom0Access(outcome.record.dom0_access);
    },
  };
}
