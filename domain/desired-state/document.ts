import { invalidInput, PassthruError } from '../errors.ts';
import type { Apply } from '../apply-mode.ts';
import { parsePciAddress, type PciAddress } from '../pci-address.ts';

export const DESIRED_MODES = ['at_least', 'exact'] as const;
/** `at_least`: hide what the document names and touch nothing else; `exact`: also give back what it does not name. */
export type DesiredMode = (typeof DESIRED_MODES)[number];
export const FUNCTION_SCOPES = ['one', 'all'] as const;
/** `all`: every function of the slot a matching device sits in (a GPU and its audio function). */
export type FunctionScope = (typeof FUNCTION_SCOPES)[number];

/** A device by what it is rather than where it sits: a card moved to another slot still matches. Lower-case hex. */
export interface IdentityMatch {
  readonly vendor: string;
  readonly device: string;
  readonly subsystem_vendor?: string;
  readonly subsystem_device?: string;
  /** A prefix of the six-digit class id: `03` every display controller, `0302` 3D controllers. */
  readonly class?: string;
}

/** One entry of `hidden`: a device by address or by identity, never both. */
export type DesiredEntry = ({ readonly id: PciAddress } | { readonly match: IdentityMatch }) & {
  readonly functions: FunctionScope;
  readonly reason?: string;
};

/** The desired-state document with its defaults filled in. */
export interface DesiredState {
  readonly mode: DesiredMode;
  readonly apply: Apply;
  readonly hidden: readonly DesiredEntry[];
}

/** The document as received: its shape already checked against the schema, its meaning not yet. */
export interface DesiredStateDocument {
  readonly mode?: DesiredMode;
  readonly apply?: Apply;
  readonly hidden: readonly {
    readonly id?: string;
    readonly match?: IdentityMatch;
    readonly functions?: FunctionScope;
    readonly reason?: string;
  }[];
}

/** A bad document, with the JSON pointer of the field at fault. */
export const badDocument = (pointer: string, problem: string) =>
  invalidInput(`the desired-state document is not valid: ${pointer || '/'} ${problem}`, { pointer });

/**
 * What a document asks for, checked past its shape: each entry names a
 * device one way, its address is a PCI address, its subsystem ids come as a pair.
 */
export function desiredState(document: DesiredStateDocument): DesiredState {
  const hidden = document.hidden.map((entry, index): DesiredEntry => {
    const at = `/hidden/${index}`;
    const rest = {
      functions: entry.functions ?? 'one',
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    };
    if (entry.id !== undefined && entry.match !== undefined) {
      throw badDocument(at, 'has both "id" and "match": name the device one way');
    }
    if (entry.id !== undefined) return { id: addressAt(`${at}/id`, entry.id), ...rest };
    if (entry.match === undefined) throw badDocument(at, 'names no device: give "id" (a PCI address) or "match"');
    const { subsystem_vendor: vendor, subsystem_device: device } = entry.match;
    if ((vendor === undefined) !== (device === undefined)) {
      const missing = vendor === undefined ? 'subsystem_vendor' : 'subsystem_device';
      throw badDocument(`${at}/match/${missing}`, 'is missing: a subsystem is matched by both its ids');
    }
    return { match: entry.match, ...rest };
  });
  const ids = hidden.flatMap((entry) => ('id' in entry ? [entry.id] : []));
  const twice = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (twice >= 0) {
    const index = hidden.findLastIndex((entry) => 'id' in entry && entry.id === ids[twice]);
    throw badDocument(`/hidden/${index}/id`, `names ${ids[twice]} a second time`);
  }
  return { mode: document.mode ?? 'at_least', apply: document.apply ?? 'next-boot', hidden };
}

function addressAt(pointer: string, text: string): PciAddress {
  try {
    return parsePciAddress(text);
  } catch (error) {
    if (error instanceof PassthruError) throw badDocument(pointer, `is ${error.message}`);
    throw error;
  }
}
