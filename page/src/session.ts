import { Api, ApiError } from './api.ts';
import type { Whoami } from './api-types.ts';

const KEY = 'passthru.token';

/** A signed-in tab: the token's API and who the token is. */
export interface Session {
  readonly api: Api;
  readonly who: Whoami;
  /** True when the service cannot say who a token is (it has no roles): changes are then offered. */
  readonly roleAssumed: boolean;
}

// sessionStorage: the token lives as long as this tab, and no other tab or window sees it.
export const storedToken = () => sessionStorage.getItem(KEY);
export const forgetToken = () => sessionStorage.removeItem(KEY);

/** Checks the token with the service, and keeps it for this tab once it works. */
export async function signIn(token: string, onUnauthorized: (detail: string) => void): Promise<Session> {
  const api = new Api(token, onUnauthorized);
  const checking = new Api(token);
  let session: Session;
  try {
    session = { api, who: await checking.get<Whoami>('/v1/whoami'), roleAssumed: false };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    await checking.get('/v1/host');
    session = { api, who: { name: 'token', role: 'operator' }, roleAssumed: true };
  }
  sessionStorage.setItem(KEY, token);
  return session;
}
