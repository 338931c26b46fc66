import { EVENT_TYPES, type DeviceEvent, type HostEvent, type PassthruEvent } from '../domain/events.ts';
import type { StoredEvent } from '../services/store/event-store.ts';

const HOST_EVENT_TYPES: readonly HostEvent['type'][] = ['BootObserved'];
const DEVICE_EVENT_TYPES = new Set<string>(EVENT_TYPES.filter((type) => !HOST_EVENT_TYPES.includes(type as never)));

/** The domain event a stored one holds, when it is one of a device's. */
export function asDeviceEvent(stored: StoredEvent): DeviceEvent | null {
  return DEVICE_EVENT_TYPES.has(stored.type) ? (stored as unknown as PassthruEvent as DeviceEvent) : null;
}
