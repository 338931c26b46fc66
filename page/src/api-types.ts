import type { Static } from 'typebox';
import type {
  DeviceState as DeviceStateSchema,
  FeedEvent,
  HistoryPage as HistoryPageSchema,
  HostView as HostViewSchema,
  PciRecord as PciRecordSchema,
} from '../../services/http/schemas.ts';

/** One protection of a device: why dom0 needs it back after a reboot. */
export interface Protection {
  readonly reason: string;
  readonly detail: string;
}

/** A PCI record as `GET /v1/pcis` answers it; the safety fields are absent from a service without them. */
export type PciRecord = Static<typeof PciRecordSchema> & {
  readonly protected?: Protection | readonly Protection[] | null;
  readonly dependencies?: readonly string[];
};
export type HostView = Static<typeof HostViewSchema>;
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
