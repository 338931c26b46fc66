import type { DeviceEvent, PassthruEvent } from '../domain/events.ts';
import type { StoredEvent } from '../services/store/event-store.ts';

const DEVICE_EVENT_TYPES = new Set<string>([
  'DeviceDiscovered',
  'Dom0AccessDisabled',
  'Dom0AccessEnabled',
  'Dom0AccessChangeFailed',
  'Dom0AccessReconciled',
]);

/** The domain event a stored one holds, when it is one of a device's. */
export function asDeviceEvent(stored: StoredEvent): DeviceEvent | null {
  return DEVICE_EVENT_TYPES.has(stored.type) ? (stored as unknown as PassthruEvent as DeviceEvent) : null;
}
