import { Type } from 'typebox';
import { DOM0_ACCESS_STATUSES } from '../../domain/dom0-access.ts';
import { EVENT_TYPES } from '../../domain/events.ts';
import { ROLES } from '../../domain/roles.ts';

export const PciId = Type.String({
  maxLength: 64,
  description: 'PCI address DDDD:BB:DD.F or BB:DD.F, any case; shown canonical long lower case',
  examples: ['0000:03:00.0'],
});
export const IdParams = Type.Object({ id: PciId });

export const Dom0Access = Type.Enum([...DOM0_ACCESS_STATUSES], {
  description: 'computed live from /proc/cmdline and xen-cmdline',
});

const Hex = (digits: number) => Type.String({ pattern: `^[0-9a-f]{${digits}}$` });

export const DeviceIdentity = Type.Object({
  id: Type.String(),
  class_id: Hex(6),
  class_name: Type.String(),
  vendor_id: Hex(4),
  vendor_name: Type.String(),
  device_id: Hex(4),
  device_name: Type.String(),
  subsystem_vendor_id: Type.Optional(Hex(4)),
  subsystem_vendor_name: Type.Optional(Type.String()),
  subsystem_device_id: Type.Optional(Hex(4)),
  subsystem_device_name: Type.Optional(Type.String()),
});

export const PciRecord = Type.Object({
  ...DeviceIdentity.properties,
  dom0_access: Dom0Access,
  pgpu: Type.Optional(Type.String({ description: 'the PGPU this PCI is, for display controllers' })),
});

export const PgpuRecord = Type.Object({
  id: Type.String({ description: 'the BDF of the PGPU’s PCI' }),
  pci: Type.String(),
  dom0_access: Dom0Access,
});

export const AppendedEvent = Type.Object({
  type: Type.String(),
  position: Type.Integer(),
  revision: Type.Integer(),
});

/** What a command adds to the record it answers: whether it changed anything, and the event. */
export const CommandEffect = {
  changed: Type.Boolean({ description: 'false when the device already was as asked: nothing appended' }),
  event: Type.Union([AppendedEvent, Type.Null()]),
};

export const CommandBody = Type.Union([
  Type.Object(
    { reason: Type.Optional(Type.String({ maxLength: 500, description: 'recorded in the event metadata' })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const StatusResponse = Type.Object({ id: Type.String(), status: Dom0Access });

export const EventView = Type.Object({
  position: Type.Integer(),
  revision: Type.Integer(),
  type: Type.String(),
  at: Type.String(),
  data: Type.Unknown(),
  metadata: Type.Record(Type.String(), Type.Unknown()),
});

export const FeedEvent = Type.Object({
  ...EventView.properties,
  id: Type.String(),
  stream: Type.String(),
  stored_at: Type.String(),
});

const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });
const HostId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  description: 'a host of the pool, as in its stream names (PASSTHRU_HOST_ID)',
});

export const HistoryQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: -1, description: 'a revision: events after it' })),
    limit: Type.Optional(Limit),
    host: Type.Optional(HostId),
  },
  { additionalProperties: false },
);
export const HistoryPage = Type.Object({
  events: Type.Array(EventView),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'the `after` of the next page, null at the end' }),
});

export const FeedQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'a store position: events after it' })),
    limit: Type.Optional(Limit),
    type: Type.Optional(Type.Enum([...EVENT_TYPES])),
    host: Type.Optional(HostId),
  },
  { additionalProperties: false },
);
export const FeedPage = Type.Object({
  events: Type.Array(FeedEvent),
  next: Type.Union([Type.Integer(), Type.Null()]),
});

export const StateQuery = Type.Object(
  {
    at: Type.Optional(
      Type.Integer({ minimum: 0, description: 'a revision of the device’s stream; latest when absent' }),
    ),
  },
  { additionalProperties: false },
);
export const DeviceState = Type.Object({
  id: Type.String(),
  revision: Type.Integer(),
  status: Dom0Access,
  identity: Type.Union([DeviceIdentity, Type.Null()]),
  last_change: Type.Object({ type: Type.String(), at: Type.String(), cause: Type.String() }),
  failures: Type.Integer(),
});

export const ReconcileReport = Type.Object({
  boot_id: Type.String(),
  new_boot: Type.Boolean(),
  appended: Type.Array(AppendedEvent),
});

export const HostView = Type.Object({
  host_id: Type.String(),
  mode: Type.Union([Type.Literal('xen'), Type.Literal('simulated')]),
  boot_id: Type.String(),
  current: Type.Array(Type.String(), { description: 'hide list of the running kernel' }),
  pending: Type.Array(Type.String(), { description: 'hide list of the next boot' }),
  projection_position: Type.Integer(),
  boot_config: Type.Array(Type.String(), {
    description: 'the boot configuration files watched; empty when none is known, and every read runs xen-cmdline',
  }),
});

export const Health = Type.Object({ status: Type.String(), reconciled: Type.Boolean() });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** Every route answers these errors with problem+json. */
export const problems = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, Problem]));

const RoleName = Type.Enum([...ROLES], {
  description: 'read-only: every read; operator: every read and every change',
});
export const Whoami = Type.Object({ name: Type.String(), role: RoleName });
export const TokenSummary = Type.Object({
  name: Type.String(),
  role: RoleName,
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const TokenNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
export const TokenRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, examples: ['xo-reader'] }),
    role: RoleName,
  },
  { additionalProperties: false },
);
export const IssuedToken = Type.Object({
  ...TokenSummary.properties,
  token: Type.String({ description: 'the secret, shown this once: only its hash is kept' }),
  event: AppendedEvent,
});
export const RevokedToken = Type.Object({ ...TokenSummary.properties, event: AppendedEvent });
