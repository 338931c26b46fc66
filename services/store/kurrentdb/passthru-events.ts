import {
  streamNameFilter,
  type AllStreamRecordedEvent,
  type Filter,
  type RecordedEvent,
} from '@kurrent/kurrentdb-client';
import type { EventMetadata, StoredEvent } from '../event-store.ts';
import { toPosition } from './positions.ts';

/**
 * passthru's streams, as projections/streams.ts names them: `pci-{host}@{pci}`,
 * `host-{host}`, `tokens-{host}` and `plans-{host}`. A shared database holds other applications' streams and
 * the server's own `$` streams; the server filters them out of every read of
 * `$all` by this pattern.
 */
const PASSTHRU_STREAM = '^(?:pci-[A-Za-z0-9._-]+@.+|(?:host|tokens|plans)-[A-Za-z0-9._-]+)$';
const passthruStream = new RegExp(PASSTHRU_STREAM);

export const passthruStreamFilter = (): Filter => streamNameFilter({ regex: PASSTHRU_STREAM });

const METADATA_FIELDS = ['at', 'actor', 'correlation_id', 'host'] as const;

function isPassthruMetadata(metadata: unknown): metadata is EventMetadata {
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array) return false;
  return METADATA_FIELDS.every((field) => typeof (metadata as Record<string, unknown>)[field] === 'string');
}

/**
 * The event as passthru stores it, or null for one passthru did not write: a
 * foreign stream that happens to match the name, a binary event, data that is
 * not JSON (the client hands it over as a string), or no passthru metadata.
 */
export function toPassthruEvent(event: RecordedEvent | AllStreamRecordedEvent): StoredEvent | null {
  if (!passthruStream.test(event.streamId) || !event.isJson || event.type.startsWith('$')) return null;
  if (typeof event.data !== 'object' || event.data === null || !isPassthruMetadata(event.metadata)) return null;
  if (!event.position) return null;
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: toPosition(event.position.prepare),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    stored_at: event.created.toISOString(),
  };
}
