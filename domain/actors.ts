/**
 * The actors the service records its own changes under. A token's name is
 * the actor of what it changes, so no token may take one of these (in any
 * case): its changes would read as the service's own.
 */
export const SERVICE_ACTORS = {
  /** The first start: the admin token's issue. */
  start: 'passthru',
  reconciler: 'reconciler',
  bootConfigWatcher: 'boot-config-watcher',
  holderPoll: 'holder-poll',
  /** The holder poll's name in events recorded before it read xenstore. */
  xlPoll: 'xl-poll',
} as const;

const RESERVED = new Set<string>(Object.values(SERVICE_ACTORS));

export const isServiceActor = (name: string): boolean => RESERVED.has(name.toLowerCase());

/**
 * Who did it, as history shows it: the token, then whom the client says it
 * asked for (`on_behalf_of`, e.g. the CLI's `cli:root`), marked as the
 * client's claim, which nothing checks.
 */
export function actorWords(actor: string, onBehalfOf: unknown): string {
  return typeof onBehalfOf === 'string' && onBehalfOf !== '' ? `${actor} (claims ${onBehalfOf})` : actor;
}
