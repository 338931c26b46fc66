import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An `ovs-vsctl` for a fake host, answering the two questions passthru asks
 * from a database of one file per answer: `br-to-parent BRIDGE` (a real
 * bridge's own name, a fake bridge's parent) and `list-ifaces BRIDGE`; an
 * unknown bridge fails as the real one does.
 */
export class OvsVsctlStandIn {
  readonly program: string;
  private readonly db: string;

  constructor(dir: string) {
    this.program = join(dir, 'ovs-vsctl');
    this.db = join(dir, 'ovs-db');
    mkdirSync(this.db, { recursive: true });
    writeFileSync(
      this.program,
      `#!/bin/sh
case "$1" in
  br-to-parent) answer='${this.db}/parent-'"$2" ;;
  list-ifaces) answer='${this.db}/ifaces-'"$2" ;;
  *) echo "ovs-vsctl: unknown command '$1'; use --help for help" >&2; exit 1 ;;
esac
[ -f "$answer" ] || { echo "ovs-vsctl: no bridge named $2" >&2; exit 1; }
exec cat "$answer"
`,
    );
    chmodSync(this.program, 0o755);
  }

  bridge(name: string, interfaces: readonly string[]): this {
    writeFileSync(join(this.db, `parent-${name}`), `${name}\n`);
    writeFileSync(join(this.db, `ifaces-${name}`), interfaces.map((i) => `${i}\n`).join(''));
    return this;
  }

  /** A VLAN of a bridge, as xapi makes one (`add-br NAME PARENT TAG`): its interfaces are the parent's ports. */
  fakeBridge(name: string, parent: string): this {
    writeFileSync(join(this.db, `parent-${name}`), `${parent}\n`);
    writeFileSync(join(this.db, `ifaces-${name}`), '');
    return this;
  }
}
