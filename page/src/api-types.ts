import type { Static } from 'typebox';
import type {
  DeviceState as DeviceStateSchema,
  FeedEvent,
  HistoryPage as HistoryPageSchema,
  HostView as HostViewSchema,
  NextBootView as NextBootViewSchema,
  PciRecord as PciRecordSchema,
  Protection as ProtectionSchema,
} from '../../services/http/schemas.ts';

/** One protection of a device: why dom0 needs it back after a reboot. */
export type Protection = Static<typeof ProtectionSchema>;
export type PciRecord = Static<typeof PciRecordSchema>;
export type HostView = Static<typeof HostViewSchema>;
/** The preflight: whether the next boot comes back and hides what its list says. */
export type NextBootView = Static<typeof NextBootViewSchema>;
export type FeedEntry = Static<typeof FeedEvent>;
export type HistoryPage = Static<typeof HistoryPageSchema>;
export type HistoryEntry = HistoryPage['events'][number];
export type DeviceState = Static<typeof DeviceStateSchema>;

export type Role = 'read-only' | 'operator';
export interface Whoami {
  readonly name: string;
  readonly role: Role;
}

export type CommandName = 'hide' | 'unhide';

export interface CommandAnswer {
  readonly warnings?: readonly string[];
}
