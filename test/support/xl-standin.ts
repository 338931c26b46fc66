import { appendFileSync, chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// What real xl does, over a kernel-layout fake sysfs: pciback's devices are the
// assignable ones, an add saves the driver it unbinds and `remove -r` binds it again.
const LISTS = `
list)
  printf 'Name                                        ID   Mem VCPUs\\tState\\tTime(s)\\n'
  printf 'Domain-0                                     0  4096     4     r-----     100.0\\n'
  [ -f "$d/xl-domains" ] && while read -r id name devs; do
    printf '%-40s %5s  2048     2     -b----      10.0\\n' "$name" "$id"
  done < "$d/xl-domains"
  exit 0 ;;
pci-list)
  echo 'Vdev Device'
  [ -f "$d/xl-domains" ] && while read -r id name devs; do
    [ "$id" = "$2" ] || [ "$name" = "$2" ] || continue
    n=4; for dev in $devs; do printf '%02x.0 %s\\n' "$n" "$dev"; n=$((n + 1)); done
  done < "$d/xl-domains"
  exit 0 ;;
pci-assignable-list)
  for dev in "$sys"/bus/pci/devices/*; do
    [ "$(basename "$(readlink "$dev/driver" 2>/dev/null)")" = pciback ] && basename "$dev"
  done
  exit 0 ;;
pci-assignable-add|pci-assignable-remove)
  op=$1; shift; [ "$1" = -r ] && shift; bdf=$1; dev="$sys/bus/pci/devices/$bdf"
  if [ -f "$d/xl-fail-$bdf" ]; then cat "$d/xl-fail-$bdf" >&2; exit 1; fi
  [ -e "$dev" ] || { echo "libxl: error: libxl_pci.c:748:libxl__device_pci_assignable_add: Couldn't find device $bdf" >&2; exit 1; }
  drv=$(readlink "$dev/driver" 2>/dev/null)
  if [ "$op" = pci-assignable-add ]; then
    [ "$(basename "$drv")" = pciback ] && exit 0
    echo "$drv" > "$d/xl-saved-$bdf"; rm -f "$dev/driver"
    mkdir -p "$sys/bus/pci/drivers/pciback"; ln -s "$sys/bus/pci/drivers/pciback" "$dev/driver"
  else
    [ "$(basename "$drv")" = pciback ] || { echo "libxl: error: libxl_pci.c:886:libxl__device_pci_assignable_remove: $bdf is not assignable" >&2; exit 1; }
    rm -f "$dev/driver"; saved=$(cat "$d/xl-saved-$bdf" 2>/dev/null); rm -f "$d/xl-saved-$bdf"
    [ -n "$saved" ] && ln -s "$saved" "$dev/driver"
  fi
  exit 0 ;;`;

/**
 * An `xl` for a simulated host: `xl info` prints what a Xen host prints, with
 * the `virt_caps` given. Given a kernel-layout fake sysfs, it also answers
 * `list`, `pci-list`, `pci-assignable-list`, `pci-assignable-add` and
 * `pci-assignable-remove` over it, and can fail or hang as asked; without
 * one, anything but `info` fails as the real one does without a toolstack.
 */
export class XlStandIn {
  readonly program: string;
  private readonly info: string;
  private readonly guests: string;

  constructor(
    private readonly dir: string,
    virtCaps: string,
    sysfs?: string,
  ) {
    this.program = join(dir, 'xl');
    this.info = join(dir, 'xl-info.txt');
    this.guests = join(dir, 'xl-domains');
    this.install(sysfs);
    this.virtCaps(virtCaps);
  }

  virtCaps(caps: string): void {
    writeFileSync(
      this.info,
      `host                   : simulated\nrelease                : 4.19.0\nvirt_caps              : ${caps}\nxen_version            : 4.17.4\n`,
    );
  }

  /** A guest running with these devices passed through (as `xl pci-attach` leaves it). */
  guest(domid: number, name: string, devices: readonly string[]): this {
    appendFileSync(this.guests, `${domid} ${name} ${devices.join(' ')}\n`);
    return this;
  }

  /** Every guest shut down. */
  noGuests(): this {
    rmSync(this.guests, { force: true });
    return this;
  }

  /** `pci-assignable-add` and `-remove` of this device fail, printing `message` as xl's error. */
  failOn(id: string, message: string): this {
    writeFileSync(join(this.dir, `xl-fail-${id}`), `${message}\n`);
    return this;
  }

  /** This subcommand never answers. */
  hangOn(subcommand: string): this {
    writeFileSync(join(this.dir, `xl-hang-${subcommand}`), '');
    return this;
  }

  /** The program gone, as on a host without the toolstack. */
  remove(): void {
    rmSync(this.program);
  }

  private install(sysfs: string | undefined): void {
    writeFileSync(
      this.program,
      [
        '#!/bin/sh',
        `d='${this.dir}'`,
        `sys='${sysfs ?? ''}'`,
        '[ -f "$d/xl-hang-$1" ] && exec sleep 600',
        'case "$1" in',
        'info) exec cat "$d/xl-info.txt" ;;',
        sysfs === undefined ? '' : LISTS,
        '*) echo "xl: unknown command $1" >&2; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(this.program, 0o755);
  }
}

export const WITH_IOMMU = 'pv hvm hvm_directio pv_directio hap shadow';
export const WITHOUT_IOMMU = 'pv hvm hap shadow';
