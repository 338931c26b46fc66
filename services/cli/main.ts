import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PassthruError } from '../../domain/errors.ts';
import { loadConfig, SETTINGS, type Config } from '../settings/config.ts';
import { serve } from '../http/server.ts';
import type { Flags, Output } from './cli-types.ts';
import { doctorCommand } from './doctor.ts';
import { historyCommand } from './history.ts';
import { locateService } from './locate-service.ts';
import { commandThroughService, rebootCommand, repairHideListCommand } from './remote.ts';
import { rebuildCommand, replayCommand } from './replay.ts';
import { statusCommand } from './status.ts';
import { visible } from './table.ts';
import { tokenCommand } from './tokens.ts';
import { exportCommand, importCommand } from './transfer.ts';

export const USAGE = `passthru: dom0 access of a Xen host's PCI devices, event-sourced

Usage: passthru <command> [options]

Commands:
  serve                          run the HTTP service (reconciles with the host first)
  status [ID]                    live dom0 access of every PCI device, or of one
  doctor [--json]                will passthrough work? the IOMMU, and every hidden device's driver and verdict;
                                 exits 1 when one is not ready
  hide ID... [--reason TEXT] [--force] [--now]
                                 disable dom0 access at next boot (through the running service);
                                 several ids change in one boot configuration edit, all or none;
                                 --force hides even a device dom0 needs (boot disk, management NIC, display),
                                 with a --reason the history keeps;
                                 --now also hands it to pciback at once (xl pci-assignable-add): dom0's driver lets go
  unhide ID... [--reason TEXT] [--force] [--now]
                                 enable dom0 access at next boot (through the running service);
                                 --force even from a running guest that holds it;
                                 --now also gives it back to its dom0 driver at once (xl pci-assignable-remove -r)
  repair-hide-list [--drop ENTRY]... [--fix ENTRY=ID]... [--pciback-hide keep|move|drop] [--reason TEXT] [--force]
                                 rewrite the next boot's hide list without the entries xen-pciback cannot read
                                 (one makes it hide nothing): drop each, or replace it by the device meant;
                                 move pciback.hide, which no kernel reads, into xen-pciback.hide, or drop it
  history ID                     the events of one device, oldest first
  replay [--pci ID] [--until POSITION]
                                 print each stored event with the view it produces
  rebuild                        rebuild the projections from the first event
  export [--after POSITION]      write the stored events as NDJSON to standard output
  import [FILE|-]                append exported events to the store, keeping ids and revisions
  reboot                         reboot a simulated host (then the service reconciles)
  token add NAME --role ROLE     issue a token (ROLE: read-only or operator); prints it once, last
  token list                     every token: name, role, when made and last used (never the secret)
  token revoke NAME              revoke a token, at once in the running service

Options (each also an environment variable, see docs/configuration.md):
${Object.values(SETTINGS)
  .map((s) => `  --${s.flag.padEnd(28)} ${s.env}`)
  .join('\n')}
  --json                         machine-readable output
  -h, --help                     this text
`;

const OPTIONS: ParseArgsConfig['options'] = {
  ...Object.fromEntries(
    Object.values(SETTINGS).map((s) => [s.flag, { type: 'boolean' in s ? ('boolean' as const) : ('string' as const) }]),
  ),
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  reason: { type: 'string' },
  force: { type: 'boolean' },
  now: { type: 'boolean' },
  pci: { type: 'string' },
  until: { type: 'string' },
  after: { type: 'string' },
  role: { type: 'string' },
  drop: { type: 'string', multiple: true },
  fix: { type: 'string', multiple: true },
  'pciback-hide': { type: 'string' },
};

export async function main(argv: string[], out: Output = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`passthru: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const flags = parsed.values as Flags;
  if (flags.help || !command) {
    out(USAGE);
    return command || flags.help ? 0 : 2;
  }
  try {
    const config =
      command === 'serve'
        ? loadConfig(process.env, flags)
        : locateService(process.env, flags, (line) => process.stderr.write(`${visible(line)}\n`));
    return await run(command, rest, flags, config, out);
  } catch (error) {
    if (error instanceof PassthruError) {
      process.stderr.write(`passthru ${command}: ${visible(error.message)}\n`);
      return error.kind === 'invalid_input' ? 2 : 1;
    }
    throw error;
  }
}

async function run(command: string, args: string[], flags: Flags, config: Config, out: Output): Promise<number> {
  switch (command) {
    case 'serve':
      await serve(config);
      return 0;
    case 'status':
      return statusCommand(config, args[0], flags, out);
    case 'hide':
    case 'unhide':
      required(args[0], command);
      return commandThroughService(config, command, args, flags, out);
    case 'repair-hide-list':
      return repairHideListCommand(config, flags, out);
    case 'doctor':
      return doctorCommand(config, flags, out);
    case 'history':
      return historyCommand(config, required(args[0], command), flags, out);
    case 'replay':
      return replayCommand(config, flags, out);
    case 'rebuild':
      return rebuildCommand(config, flags, out);
    case 'export':
      return exportCommand(config, flags, out);
    case 'import':
      return importCommand(config, args[0], out);
    case 'reboot':
      return rebootCommand(config, flags, out);
    case 'token':
      return tokenCommand(config, args, flags, out);
    default:
      process.stderr.write(`passthru: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function required(id: string | undefined, command: string): string {
  if (!id)
    throw new PassthruError('invalid_input', `${command} needs a PCI address, e.g. passthru ${command} 0000:03:00.0`);
  return id;
}
