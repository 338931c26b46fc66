/**
 * The boot configuration xen-cmdline edits, read as xcp.bootloader's
 * `Bootloader.readGrub2` reads it (xenserver/python-libs, xcp/bootloader.py).
 * xen-cmdline's `--get-dom0` answers from the default entry, and its writes
 * change the `xe` and `xe-serial` entries alone.
 */
export interface GrubEntry {
  readonly title: string;
  /** The arguments after the kernel path on the entry's first `module2` line; '' when it has none. */
  readonly dom0Line: string;
}

export interface GrubConfig {
  readonly entries: readonly GrubEntry[];
  /** The entry `set default=` names, by index or by label; null when it names none. */
  readonly default: GrubEntry | null;
}

const MENU_ENTRY = /^menuentry ['"]([^']*)['"](.*)\{/;

export function parseGrubConfig(text: string, brand: string): GrubConfig {
  const entries: { title: string; dom0Line: string }[] = [];
  let defaultName = '0';
  let open: { title: string; dom0Line: string | null } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // readGrub2 takes only an unindented `set default=`: the one inside `if [ -n "$override_entry" ]` is grub's own.
    if (line.startsWith('set default=') && line === raw.trimEnd()) {
      defaultName = line.slice('set default='.length).replace(/^['"](.*)['"]$/, '$1');
      continue;
    }
    const menu = MENU_ENTRY.exec(line);
    if (menu) {
      open = { title: menu[1]!, dom0Line: null };
      continue;
    }
    if (!open) continue;
    if (/^(module2|xen_module)\s/.test(line) && open.dom0Line === null) {
      // readGrub2's parse_boot_entry: split(None, 2), the third part is the arguments.
      open.dom0Line = line.split(/\s+/).length > 2 ? line.replace(/^\S+\s+\S+\s*/, '') : '';
    } else if (line === '}') {
      entries.push({ title: open.title, dom0Line: open.dom0Line ?? '' });
      open = null;
    }
  }
  const labels = entries.map((entry) => grubLabel(entry.title, brand));
  const index = /^-?\d+$/.test(defaultName) ? Number(defaultName) : labels.indexOf(defaultName);
  return { entries, default: entries.at(index) ?? null };
}

/** readGrub2's `create_label`: the product's own entry is `xe`, its serial console one `xe-serial`. */
export function grubLabel(title: string, brand: string): string {
  if (title === brand) return 'xe';
  if (title.endsWith('(Serial)')) return 'xe-serial';
  if (title.endsWith('Safe Mode')) return 'safe';
  if (title.endsWith('upgrade')) return 'upgrade';
  if (title.includes(' / ')) return title.includes('(Serial,') ? 'fallback-serial' : 'fallback';
  return 'other';
}
