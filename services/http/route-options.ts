import type { Passthru } from '../startup/passthru.ts';

/** What every route plugin is registered with: the service it answers for. */
export interface RouteOptions {
  readonly passthru: Passthru;
}
