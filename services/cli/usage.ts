import { SETTINGS } from '../settings/config.ts';

/** One command as its help shows it: how it is called, and what it does, a line each. */
interface CommandUsage {
  readonly synopsis: string;
  readonly does: readonly string[];
}

const COMMANDS: Readonly<Record<string, CommandUsage>> = {
  serve: { synopsis: 'serve', does: ['run the HTTP service (reconciles with the host first)'] },
  status: {
    synopsis: 'status [ID] [--json]',
    does: [
      'live dom0 access of every PCI device, or of one: asked of the running service,',
      'read from the host by this CLI only when no service runs (it says so)',
    ],
  },
  doctor: {
    synopsis: 'doctor [--json]',
    does: [
      "will passthrough work? the IOMMU, and every hidden device's driver and verdict;",
      'exits 1 when one is not ready',
    ],
  },
  hide: {
    synopsis: 'hide ID... [--reason TEXT] [--force] [--now]',
    does: [
      'disable dom0 access at next boot (through the running service);',
      'several ids change in one boot configuration edit, all or none;',
      '--force hides even a device dom0 needs (boot disk, management NIC, display),',
      'with a --reason the history keeps;',
      "--now also hands it to pciback at once (xl pci-assignable-add): dom0's driver lets go",
    ],
  },
  unhide: {
    synopsis: 'unhide ID... [--reason TEXT] [--force] [--now]',
    does: [
      'enable dom0 access at next boot (through the running service);',
      '--force even from a running guest that holds it;',
      '--now also gives it back to its dom0 driver at once (xl pci-assignable-remove -r)',
    ],
  },
  'repair-hide-list': {
    synopsis:
      'repair-hide-list [--drop ENTRY]... [--fix ENTRY=ID]... [--pciback-hide keep|move|drop] [--reason TEXT] [--force]',
    does: [
      "rewrite the next boot's hide list without the entries xen-pciback cannot read",
      '(one makes it hide nothing): drop each, or replace it by the device meant;',
      'move pciback.hide, which no kernel reads, into xen-pciback.hide, or drop it',
    ],
  },
  plan: {
    synopsis: 'plan -f FILE [--json]',
    does: [
      'what a desired-state document (YAML or JSON, - for standard input) would change,',
      'changing nothing; exits 0 when nothing would change, 2 when something would, 1 on error',
    ],
  },
  apply: {
    synopsis: 'apply -f FILE [--yes]',
    does: [
      'plan the document, show the plan, ask, then apply it as one batch;',
      '--yes applies without asking (needed when standard input is not a terminal)',
    ],
  },
  'export-desired': {
    synopsis: 'export-desired [--json]',
    does: ['the devices the next boot hides, as a desired-state document by identity'],
  },
  history: { synopsis: 'history ID [--json]', does: ['the events of one device, oldest first'] },
  replay: {
    synopsis: 'replay [--pci ID] [--until POSITION] [--json]',
    does: ['print each stored event with the view it produces'],
  },
  rebuild: { synopsis: 'rebuild', does: ['rebuild the projections from the first event'] },
  export: { synopsis: 'export [--after POSITION]', does: ['write the stored events as NDJSON to standard output'] },
  import: { synopsis: 'import [FILE|-]', does: ['append exported events to the store, keeping ids and revisions'] },
  preflight: {
    synopsis: 'preflight [--json]',
    does: [
      "will the next boot come back and hide what its list says? the dom0 line's",
      'length, protected or changed devices in the list, keys the kernel ignores;',
      'exits 1 when not: run it before every reboot',
    ],
  },
  reboot: {
    synopsis: 'reboot',
    does: ['reboot a simulated host (then the service reconciles); says the preflight first'],
  },
  token: {
    synopsis: 'token add NAME --role ROLE | token list | token revoke NAME',
    does: [
      'add: issue a token (ROLE: read-only or operator); prints it once, last',
      'list: every token: name, role, when made and last used (never the secret)',
      'revoke: revoke a token, at once in the running service',
    ],
  },
  help: { synopsis: 'help [COMMAND]', does: ['this text, or the usage of one command'] },
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

const SETTING_FLAGS = Object.values(SETTINGS)
  .map((s) => `  --${s.flag.padEnd(28)} ${s.env}`)
  .join('\n');

const listed = (usage: CommandUsage) => {
  const [first, ...more] = usage.does;
  const head =
    usage.synopsis.length > 29
      ? [`  ${usage.synopsis}`, `${' '.repeat(33)}${first}`]
      : [`  ${usage.synopsis.padEnd(31)}${first}`];
  return [...head, ...more.map((line) => `${' '.repeat(33)}${line}`)].join('\n');
};

export const USAGE = `passthru: dom0 access of a Xen host's PCI devices, event-sourced

Usage: passthru <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((usage) => listed(usage))
  .join('\n')}

Options (each also an environment variable, see docs/configuration.md):
${SETTING_FLAGS}
  --json                         machine-readable output
  -h, --help                     this text; after a command, that command's usage
`;

/** One command's usage, or null for a name that is no command. */
export function commandUsage(name: string): string | null {
  const usage = COMMANDS[name];
  if (!usage) return null;
  return `Usage: passthru ${usage.synopsis}\n\n${usage.does.map((line) => `  ${line}`).join('\n')}\n\nEvery command also takes the settings' flags: passthru help\n`;
}

/** The command a mistyped name most likely meant (at most two edits away), or null. */
export function nearestCommand(name: string): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const candidate of COMMAND_NAMES) {
    const distance = editDistance(name, candidate);
    if (distance <= 2 && (best === null || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name ?? null;
}

/** Optimal string alignment distance: a swap of two neighbours (`stauts`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
