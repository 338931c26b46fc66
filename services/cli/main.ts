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
import { preflightCommand } from './preflight.ts';
import { visible } from './table.ts';
import { tokenCommand } from './tokens.ts';
import { exportCommand, importCommand } from './transfer.ts';
import { commandUsage, nearestCommand, USAGE } from './usage.ts';
import { endWhenCutShort } from './cut-short.ts';
import { exportDesiredCommand } from './export-desired.ts';
import { applyCommand, planCommand } from './plan.ts';

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
  file: { type: 'string', short: 'f' },
  yes: { type: 'boolean' },
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
  if (command === 'help' || (flags.help && command)) {
    const named = command === 'help' ? rest[0] : command;
    if (named === undefined) {
      out(USAGE);
      return 0;
    }
    const usage = commandUsage(named);
    if (usage === null) return unknownCommand(named);
    out(usage);
    return 0;
  }
  if (flags.help || !command) {
    out(USAGE);
    return flags.help ? 0 : 2;
  }
  if (commandUsage(command) === null) return unknownCommand(command);
  if (command !== 'serve') endWhenCutShort(command);
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

function unknownCommand(name: string): number {
  const meant = nearestCommand(name);
  process.stderr.write(
    `passthru: unknown command "${name}"${meant ? `; did you mean ${meant}?` : ''} (passthru help lists every command)\n`,
  );
  return 2;
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
    case 'plan':
      return planCommand(config, flags, out);
    case 'apply':
      return applyCommand(config, flags, out);
    case 'export-desired':
      return exportDesiredCommand(config, flags, out);
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
    case 'preflight':
      return preflightCommand(config, flags, out);
    case 'reboot':
      return rebootCommand(config, flags, out);
    case 'token':
      return tokenCommand(config, args, flags, out);
    default:
      return unknownCommand(command);
  }
}

function required(id: string | undefined, command: string): string {
  if (!id)
    throw new PassthruError('invalid_input', `${command} needs a PCI address, e.g. passthru ${command} 0000:03:00.0`);
  return id;
}
