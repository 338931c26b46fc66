import { Type } from 'typebox';
import { DOM0_ACCESS_STATUSES } from '../../domain/dom0-access.ts';
import { APPLY_MODES, EVENT_TYPES } from '../../domain/events.ts';
import { NEXT_BOOT_PROBLEM_CODES } from '../../domain/next-boot.ts';
import { CUT_HIDE_LISTS } from '../../domain/dom0-line.ts';
import { PASSTHROUGH_PROBLEM_CODES } from '../../domain/passthrough.ts';
import { PROTECTION_REASONS } from '../../domain/protection.ts';
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

export const Protection = Type.Object({
  reason: Type.Enum([...PROTECTION_REASONS]),
  detail: Type.String({ description: 'what makes it so, e.g. "/dev/nvme0n1p2 on /"' }),
});

export const PciRecord = Type.Object({
  ...DeviceIdentity.properties,
  dom0_access: Dom0Access,
  pgpu: Type.Optional(Type.String({ description: 'the PGPU this PCI is, for display controllers' })),
  protected: Type.Union([Type.Array(Protection, { minItems: 1 }), Type.Null()], {
    description:
      'null, or every reason dom0 needs this device to come back after a reboot; hide refuses it unless forced',
  }),
  dependencies: Type.Array(Type.String(), {
    description:
      'devices that must be hidden with this one for passthrough: same slot, same IOMMU group, same conventional bridge',
  }),
  driver: Type.Union([Type.String(), Type.Null()], {
    description: 'the driver bound to it now (pciback: free for a guest); null when none is',
  }),
  passthrough: Type.Object(
    {
      ready: Type.Boolean({ description: 'pciback holds it, it stays hidden, and nothing below stands in the way' }),
      problems: Type.Array(
        Type.Object({
          code: Type.Enum([...PASSTHROUGH_PROBLEM_CODES]),
          detail: Type.String({ description: 'what is wrong and what to do, in one sentence' }),
        }),
      ),
    },
    { description: 'whether a guest could be given the device now' },
  ),
  assigned_to: Type.Union(
    [
      Type.Object({
        domid: Type.Integer({ minimum: 1 }),
        name: Type.String({ description: 'the guest’s name in xenstore (xapi’s VM name-label): it may hold blanks' }),
        vm_uuid: Type.Union([Type.String(), Type.Null()], {
          description: 'the VM’s uuid; null when xenstore names none',
        }),
      }),
      Type.Null(),
    ],
    {
      description:
        'the running guest it is passed through to now, from xenstore’s PCI backend (read at each reconcile and command and every 5 s); null when none is, or when that cannot be read (then the holder_unknown problem says so)',
    },
  ),
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

export const Warnings = Type.Array(Type.String(), {
  description: 'what else must be hidden for passthrough to work: dependencies that stay with dom0',
});

const Reason = Type.String({ maxLength: 500, description: 'recorded in the event metadata' });
const Force = Type.Boolean({
  description:
    'hide even a protected device (boot disk, management NIC, system display), unhide even one a guest holds; the event records what was overridden',
});

const Apply = Type.Enum([...APPLY_MODES], {
  description:
    'next-boot (when absent): edit the boot list only; now: also hand the device to pciback (xl pci-assignable-add) or give it back to its dom0 driver (xl pci-assignable-remove -r) at once',
});

export const CommandBody = Type.Union([
  Type.Object(
    { reason: Type.Optional(Reason), force: Type.Optional(Force), apply: Type.Optional(Apply) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const BatchBody = Type.Object(
  {
    ids: Type.Array(PciId, { minItems: 1, maxItems: 256, uniqueItems: true }),
    reason: Type.Optional(Reason),
    force: Type.Optional(Force),
    apply: Type.Optional(Apply),
  },
  { additionalProperties: false },
);

export const BatchResponse = Type.Object({
  results: Type.Array(Type.Object({ record: PciRecord, ...CommandEffect })),
  warnings: Warnings,
});

const HideEntryText = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'an unreadable entry, exactly as GET /v1/host lists it in hide_list_problems',
});

export const HideListRepairBody = Type.Object(
  {
    drop: Type.Optional(
      Type.Array(HideEntryText, { maxItems: 64, uniqueItems: true, description: 'unreadable entries to leave out' }),
    ),
    fix: Type.Optional(
      Type.Array(Type.Object({ entry: HideEntryText, pci: PciId }, { additionalProperties: false }), {
        maxItems: 64,
        description: 'unreadable entries to replace by the device meant',
      }),
    ),
    pciback_hide: Type.Optional(
      Type.Union([Type.Literal('keep'), Type.Literal('move'), Type.Literal('drop')], {
        description:
          'pciback.hide, which no current kernel reads: keep it as it is (default), move its entries to xen-pciback.hide, or drop it',
      }),
    ),
    reason: Type.Optional(Reason),
    force: Type.Optional(
      Type.Boolean({ description: 'repair even when the repaired list hides a protected device it did not before' }),
    ),
  },
  { additionalProperties: false },
);

export const HideListRepairResponse = Type.Object({
  changed: Type.Boolean({ description: 'false when there was nothing to repair: nothing written, nothing appended' }),
  pending: Type.Array(Type.String(), { description: 'the devices the next boot hides after the repair' }),
  event: Type.Union([AppendedEvent, Type.Null()]),
  warnings: Warnings,
});

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
/** The hardware a hide recorded, or found at a hidden address since. */
const HardwareIdentity = Type.Object({
  class_id: Type.String(),
  vendor_id: Type.String(),
  device_id: Type.String(),
  subsystem_vendor_id: Type.Optional(Type.String()),
  subsystem_device_id: Type.Optional(Type.String()),
});
export const DeviceState = Type.Object({
  id: Type.String(),
  revision: Type.Integer(),
  status: Dom0Access,
  identity: Type.Union([DeviceIdentity, Type.Null()]),
  last_change: Type.Object({ type: Type.String(), at: Type.String(), cause: Type.String() }),
  failures: Type.Integer(),
  not_claimed_at_boot: Type.Optional(Type.String()),
  hidden_as: Type.Optional(HardwareIdentity),
  changed_to: Type.Optional(HardwareIdentity),
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
  unreadable: Type.Object(
    {
      current: Type.Array(Type.String()),
      pending: Type.Array(Type.String()),
    },
    {
      description:
        'the entries of each xen-pciback.hide that xen-pciback cannot parse; one makes it reject the whole list and hide nothing',
    },
  ),
  hide_list_problems: Type.Array(
    Type.Object({
      code: Type.Union([Type.Literal('hide_list_rejected'), Type.Literal('hide_key_ignored')]),
      list: Type.Union([Type.Literal('current'), Type.Literal('pending')]),
      key: Type.String(),
      entries: Type.Array(Type.String(), {
        description: 'the unreadable entries, or the whole value of a key no kernel reads',
      }),
      detail: Type.String({ description: 'what the kernel does with the list, and how to repair it' }),
    }),
    { description: 'why a hide list hides less than it names; empty when each hides what it names' },
  ),
  running_line_cut: Type.Union(
    [
      Type.Object({
        length: Type.Integer({ description: 'the running dom0 line as the kernel shows it' }),
        kept: Type.Integer({ description: 'what Xen keeps of a dom0 line (1023)' }),
        hide_list: Type.Enum([...CUT_HIDE_LISTS]),
        detail: Type.String({ description: 'what the cut did to the hide list, and what to do' }),
      }),
      Type.Null(),
    ],
    { description: 'set when Xen cut the running dom0 line (1023 characters or more); null when it is whole' },
  ),
  projection_position: Type.Integer(),
  iommu: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'whether xl info lists hvm_directio (read once a boot); null when it cannot be known',
  }),
  holders: Type.Union(
    [Type.Object({ known: Type.Literal(true) }), Type.Object({ known: Type.Literal(false), detail: Type.String() })],
    {
      description:
        'whether who holds each device could be read from xenstore at the last reconcile, command or poll; while it cannot, apply "now" is refused (503)',
    },
  ),
  boot_config: Type.Array(Type.String(), {
    description: 'the boot configuration files watched; empty when none is known, and every read runs xen-cmdline',
  }),
  safety_problems: Type.Array(Type.String(), {
    description:
      'what the last inventory could not work out about the devices dom0 needs (boot disks, local SR, management NICs): their protection is incomplete',
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

export const NextBootView = Type.Object({
  ok: Type.Boolean({ description: 'whether the next boot comes back and hides what its list says' }),
  problems: Type.Array(
    Type.Object({
      code: Type.Enum([...NEXT_BOOT_PROBLEM_CODES]),
      detail: Type.String({ description: 'what is wrong and what to do before the reboot' }),
      ids: Type.Optional(Type.Array(Type.String())),
    }),
  ),
  dom0_line_length: Type.Union([Type.Integer(), Type.Null()], {
    description: "the next boot's dom0 line's length; null when no boot configuration file is known",
  }),
  limit: Type.Integer({ description: 'the longest dom0 line passthru writes (991)' }),
});
