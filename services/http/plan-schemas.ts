import { Type } from 'typebox';
import { DESIRED_MODES, FUNCTION_SCOPES } from '../../domain/desired-state/document.ts';
import { DOM0_ACCESS_STATUSES } from '../../domain/dom0-access.ts';
import { APPLY_MODES } from '../../domain/events.ts';
import { BatchResponse, NextBootView, PciId } from './schemas.ts';

const HexId = Type.String({ pattern: '^[0-9a-f]{4}$', description: 'four lower-case hex digits, e.g. "10de"' });

const IdentityMatch = Type.Object(
  {
    vendor: HexId,
    device: HexId,
    subsystem_vendor: Type.Optional(HexId),
    subsystem_device: Type.Optional(HexId),
    class: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{2,6}$',
        description: 'a prefix of the six-digit class id: "03" any display controller, "0302" 3D controllers',
      }),
    ),
  },
  { additionalProperties: false, description: 'the device by what it is, wherever it sits' },
);

const EntryFields = {
  id: Type.Optional(PciId),
  match: Type.Optional(IdentityMatch),
  functions: Type.Optional(
    Type.Enum([...FUNCTION_SCOPES], { description: 'one (default), or all: every function of a matching slot' }),
  ),
  reason: Type.Optional(Type.String({ maxLength: 500, description: 'why it is hidden' })),
};

export const DesiredStateDocument = Type.Object(
  {
    mode: Type.Optional(
      Type.Enum([...DESIRED_MODES], {
        description: 'at_least (default): hide what it names, touch nothing else; exact: also give back the rest',
      }),
    ),
    apply: Type.Optional(Type.Enum([...APPLY_MODES], { description: 'next-boot (default) or now' })),
    hidden: Type.Array(Type.Object(EntryFields, { additionalProperties: false }), {
      maxItems: 256,
      description: 'each entry names a device by id or by match, not both',
    }),
  },
  { additionalProperties: false, description: 'a desired-state document, as JSON or as YAML (application/yaml)' },
);

const Status = Type.Enum([...DOM0_ACCESS_STATUSES]);

export const PlanView = Type.Object({
  id: Type.String(),
  made_at: Type.String(),
  position: Type.Integer({ description: 'the store position the plan was computed at' }),
  hide_list_digest: Type.String({ description: 'of the next boot’s hide list as read' }),
  changes: Type.Array(
    Type.Object({
      id: Type.String(),
      from: Status,
      to: Status,
      entry: Type.Union([Type.Object({ pointer: Type.String(), ...EntryFields }), Type.Null()], {
        description: 'the document entry that took the device; null for one exact mode gives back',
      }),
    }),
  ),
  refusals: Type.Array(Type.Object({ id: Type.String(), reason: Type.String(), detail: Type.String() })),
  warnings: Type.Array(Type.String()),
  next_boot: NextBootView,
  reboot_needed: Type.Boolean(),
});

export const PlanParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const PlanApplied = Type.Object({ ...BatchResponse.properties, plan: Type.String() });
