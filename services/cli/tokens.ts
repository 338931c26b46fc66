import { invalidInput } from '../../domain/errors.ts';
import { isRole, ROLES } from '../../domain/roles.ts';
import type { TokenSummary } from '../access/types.ts';
import type { Config } from '../settings/config.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';
import { table } from './table.ts';

const USAGE = 'token add NAME --role read-only|operator, token list, or token revoke NAME';

/** Token management goes through the running service, so a revoke takes effect there at once and is recorded. */
export async function tokenCommand(config: Config, args: string[], flags: Flags, out: Output): Promise<number> {
  const [action, name] = args;
  switch (action) {
    case 'add': {
      const role = flags.role;
      if (!name || !isRole(role)) throw invalidInput(`token add needs a NAME and --role ${ROLES.join(' or ')}`);
      const issued = (await callService(config, 'POST', '/v1/tokens', { name, role })) as TokenSummary & {
        token: string;
      };
      if (flags.json) out(JSON.stringify(issued, null, 2));
      else {
        out(`token ${issued.name} (${issued.role}) issued; it is shown this once, keep it now:`);
        out(issued.token);
      }
      return 0;
    }
    case 'list': {
      const tokens = (await callService(config, 'GET', '/v1/tokens')) as TokenSummary[];
      if (flags.json) out(JSON.stringify(tokens, null, 2));
      else {
        const rows = tokens.map((t) => [t.name, t.role, t.created_at, t.last_used_at ?? 'never']);
        for (const line of table(['NAME', 'ROLE', 'CREATED', 'LAST USED'], rows)) out(line);
      }
      return 0;
    }
    case 'revoke': {
      if (!name) throw invalidInput('token revoke needs the NAME of the token');
      const revoked = (await callService(config, 'DELETE', `/v1/tokens/${encodeURIComponent(name)}`)) as TokenSummary;
      if (flags.json) out(JSON.stringify(revoked, null, 2));
      else out(`token ${revoked.name} (${revoked.role}) revoked`);
      return 0;
    }
    default:
      throw invalidInput(`token: ${USAGE}`);
  }
}
