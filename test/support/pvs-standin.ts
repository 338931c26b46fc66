import { appendFileSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * lvm2's `pvs` for a fake host, from a table of physical volumes and their
 * volume groups, as lvm2 2.02 reports them (tools/reporter.c, libdm-report.c
 * `_output_as_columns`): one row a line indented by two spaces, the fields
 * `-o` asks for joined by `--separator`, a heading line unless
 * `--noheadings`; a volume whose device is gone is named `[unknown]`
 * (dev-cache.c `dev_name`) and still listed, with a warning on standard
 * error, exit 0. An unknown field fails, exit 3, as lvm's option parser does.
 */
export class PvsStandIn {
  readonly program: string;
  private readonly table: string;

  constructor(dir: string) {
    this.program = join(dir, 'pvs');
    this.table = join(dir, 'pvs-table');
    writeFileSync(this.table, '');
    writeFileSync(
      this.program,
      `#!/bin/sh
sep=' '; fields='pv_name,vg_name,fmt,attr,psize,pfree'; headings=1
while [ $# -gt 0 ]; do
  case "$1" in
    --noheadings) headings= ;;
    --separator) sep=$2; shift ;;
    -o|--options) fields=$2; shift ;;
    --readonly|--nosuffix) ;;
    --config) shift ;;
    *) echo "  pvs: unrecognised option $1" >&2; exit 3 ;;
  esac
  shift
done
for field in $(echo "$fields" | tr ',' ' '); do
  case "$field" in pv_name|vg_name) ;; *) echo "  Unrecognised field: $field" >&2; exit 3 ;; esac
done
row() { out=; for field in $(echo "$fields" | tr ',' ' '); do
  case "$field" in pv_name) v=$1 ;; vg_name) v=$2 ;; esac
  out="\${out:+$out$sep}$v"; done; printf '  %s\\n' "$out"; }
[ -n "$headings" ] && row PV VG
while read -r name group; do
  [ "$name" = '[unknown]' ] && echo "  WARNING: Device for PV 7Hq2Xk-0000 not found or rejected by a filter." >&2
  row "$name" "$group"
done < '${this.table}'
exit 0
`,
    );
    chmodSync(this.program, 0o755);
  }

  /** A physical volume on a device (`/dev/sdb`, or `[unknown]` when its device is gone), in a volume group ("" for none). */
  pv(name: string, group: string): this {
    appendFileSync(this.table, `${name} ${group}\n`);
    return this;
  }
}
