import { DOM0_ACCESS_STATUSES } from '../domain/dom0-access.ts';
import { EVENT_TYPES, type DeviceEvent, type HostEvent, type PlanEvent, type TokenEvent } from '../domain/events.ts';
import type { StoredEvent } from '../services/store/event-store.ts';

const OTHER_EVENT_TYPES: readonly (HostEvent | TokenEvent | PlanEvent)['type'][] = [
  'BootObserved',
  'HideListRepaired',
  'PlanMade',
  'TokenIssued',
  'TokenRevoked',
];
const DEVICE_EVENT_TYPES = new Set<string>(EVENT_TYPES.filter((type) => !OTHER_EVENT_TYPES.includes(type as never)));
const STATUSES = new Set<unknown>(DOM0_ACCESS_STATUSES);
const ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

/**
 * The domain event a stored one holds, when it is one of a device's. An event
 * of a device type without a device and a status (an import from elsewhere,
 * a hand edit) is passed over rather than allowed to stop every start.
 */
export function asDeviceEvent(stored: StoredEvent): DeviceEvent | null {
  if (!DEVICE_EVENT_TYPES.has(stored.type)) return null;
  const data = stored.data as { pci?: unknown; status?: unknown } | null;
  const whole = typeof data?.pci === 'string' && ADDRESS.test(data.pci) && STATUSES.has(data.status);
  return whole ? ({ type: stored.type, data } as DeviceEvent) : null;
}
