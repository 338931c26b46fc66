import { createHash } from 'node:crypto';
import { handleInvalid, uuidInvalid, type XapiClass } from './errors.ts';
import { asText, type RpcValue } from './values.ts';

// passthru's own namespace, so its name-based uuids never collide with another tool's.
const NAMESPACE = Buffer.from('ed0d6ea0ce80490a89862df8129d1a17', 'hex');

/** An RFC 4122 version 5 (SHA-1, name-based) uuid: the same name always gives the same uuid. */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type XapiObjectClass = Exclude<XapiClass, 'session'>;

/**
 * References and uuids derived from the host id and the object's key (a BDF,
 * or nothing for the one host and pool): stable across restarts and reboots,
 * with no table to store. A reference and a uuid differ, as in XAPI.
 */
export class Refs {
  private readonly memo = new Map<string, string>();

  constructor(private readonly hostId: string) {}

  ref(cls: XapiObjectClass, key = ''): string {
    return `OpaqueRef:${this.derive(`ref/${cls}/${this.hostId}/${key}`)}`;
  }

  uuid(cls: XapiObjectClass, key = ''): string {
    return this.derive(`uuid/${cls}/${this.hostId}/${key}`);
  }

  /** The key among `keys` that `ref` names, or HANDLE_INVALID. */
  find<K extends string>(cls: XapiObjectClass, keys: readonly K[], ref: RpcValue): K {
    const key = keys.find((candidate) => this.ref(cls, candidate) === ref);
    if (key === undefined) throw handleInvalid(cls, asText(ref));
    return key;
  }

  /** The key among `keys` that `uuid` names, or UUID_INVALID. */
  findByUuid<K extends string>(cls: XapiObjectClass, keys: readonly K[], uuid: RpcValue): K {
    const key = keys.find((candidate) => this.uuid(cls, candidate) === uuid);
    if (key === undefined) throw uuidInvalid(cls, asText(uuid));
    return key;
  }

  private derive(name: string): string {
    let uuid = this.memo.get(name);
    if (uuid === undefined) {
      uuid = nameUuid(name);
      this.memo.set(name, uuid);
    }
    return uuid;
  }
}
