import { runProgram } from '../run-program.ts';

/** A physical volume as LVM names it, and the volume group it belongs to ("" when none). */
export interface PhysicalVolume {
  readonly name: string;
  readonly group: string;
}

/**
 * Asks LVM for every physical volume and its volume group, active or not:
 * sysfs shows a volume group's disks only under its active volumes. It reads
 * the labels on disk without taking LVM's locks (`--readonly`), so it never
 * waits on the storage manager, and without device-mapper (`activation=0`),
 * whose ioctls need CAP_SYS_ADMIN, which the systemd unit does not keep. lvm2's report (libdm-report.c,
 * `_output_as_columns`) prints a row a line, its fields joined by the
 * separator, indented by the report group; a volume whose device is missing
 * is named `[unknown]` (dev-cache.c, `dev_name`).
 */
export async function physicalVolumes(program: string, timeoutMs: number): Promise<PhysicalVolume[]> {
  const { stdout } = await runProgram(
    program,
    ['--readonly', '--config', 'global{activation=0}', '--noheadings', '--separator', '|', '-o', 'pv_name,vg_name'],
    timeoutMs,
  );
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.lastIndexOf('|');
      return at < 0 ? { name: line, group: '' } : { name: line.slice(0, at), group: line.slice(at + 1) };
    });
}
