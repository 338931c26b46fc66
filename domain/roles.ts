/** What a token may do: `read-only` every read, `operator` every read and every change (XAPI's pool-operator). */
export const ROLES = ['read-only', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (text: unknown): text is Role => ROLES.includes(text as Role);

/** Whether a holder of `role` may do what needs `needed`. */
export const permits = (role: Role, needed: Role): boolean => needed === 'read-only' || role === 'operator';

/** A token's name is the actor of what it changes, so it stays printable and short. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** The token made at first start, whose secret is the token file or PASSTHRU_TOKEN. */
export const ADMIN_TOKEN = 'admin';
