import { randomFillSync } from 'node:crypto';

const bytes = new Uint8Array(16);
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562): the time in milliseconds, then random bits.
 * Ids that grow with time land at the end of the store's id index instead of
 * on a random page, so a group commit of many events writes few index pages.
 */
export function newEventId(now: Date): string {
  randomFillSync(bytes, 6, 10);
  let ms = now.getTime();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let id = '';
  for (let i = 0; i < 16; i++) {
    id += hex[bytes[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) id += '-';
  }
  return id;
}
