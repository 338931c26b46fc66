import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostFailure } from '../../domain/errors.ts';
import { parseGrubConfig } from '../../domain/grub-config.ts';

/** XCP-ng's branding.PRODUCT_BRAND: the title of the entry xcp.bootloader labels `xe`. */
export const XCP_NG_BRAND = 'XCP-ng';

/**
 * Where xen-cmdline finds the boot configuration it edits: xcp.bootloader's
 * `Bootloader.loadExisting` takes the first of these that exists (UEFI, then BIOS grub, then grub2).
 */
export const XEN_BOOT_CONFIGS = ['/boot/efi/EFI/xenserver/grub.cfg', '/boot/grub/grub.cfg', '/boot/grub2/grub.cfg'];

/** The dom0 line of a grub.cfg's default entry, or null when it has no default entry. */
export function dom0LineOfConfig(text: string): string | null {
  return parseGrubConfig(text, XCP_NG_BRAND).default?.dom0Line ?? null;
}

/** The file of `files` xen-cmdline reads, as loadExisting picks it: the first that exists; null when none does. */
export function editedBootConfig(files: readonly string[]): string | null {
  return files.find((file) => existsSync(file)) ?? null;
}

/**
 * The whole dom0 line of the next boot, read from the boot configuration
 * itself: xen-cmdline answers only for keys it is given, and the line's length,
 * a second spelling of the hide key or a `--` before it need all of it.
 * Null when no boot configuration file is known.
 */
export async function readDom0Line(files: readonly string[]): Promise<string | null> {
  const file = editedBootConfig(files);
  if (file === null) return null;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw hostFailure(`cannot read the boot configuration ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const line = dom0LineOfConfig(text);
  if (line === null) throw hostFailure(`the boot configuration ${file} has no default entry with a dom0 kernel line`);
  return line;
}
