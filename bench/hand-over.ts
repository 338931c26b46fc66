import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KernelSysfs } from '../test/support/kernel-sysfs.ts';
import { XcpNgTwin } from '../test/support/xcp-ng-twin.ts';
import { WITH_IOMMU } from '../test/support/xl-world.ts';
import { startService, stopService, timed, TOKEN } from './fixtures.ts';
import type { Result } from './result.ts';

const ROUNDS = 5;
const CYCLES = 10;
const NIC = '0000:04:00.0';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * hide and unhide applied now over HTTP, against what they wrap made bare:
 * the xen-cmdline read-modify-write of the hide list and `xl
 * pci-assignable-add` (`-remove -r` back), on the twin of an XCP-ng host (its
 * xl, xenstore and kernel stand-ins over a kernel-layout sysfs). Rounds
 * alternate, so both sides share the machine's mood.
 */
export async function handOver(dir: string): Promise<Result> {
  const sys = new KernelSysfs(join(dir, 'sys'))
    .pci({ id: '0000:00:1c.0', class: '0x060400', express: true })
    .pci({ id: NIC, class: '0x020000', vendor: '0x8086', parent: '0000:00:1c.0', express: true })
    .bind(NIC, 'igb');
  const dataDir = join(dir, 'var');
  const xl = new XcpNgTwin(join(dir, 'twin'), WITH_IOMMU, { sysfs: sys.root, dataDir, drivers: { [NIC]: 'igb' } });
  const service = await startService({ ...sys.env, PASSTHRU_DATA_DIR: dataDir, ...xl.env });
  try {
    const post = async (name: string) => {
      const response = await fetch(`${service.url}/v1/pcis/${NIC}/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apply: 'now' }),
      });
      if (!response.ok) throw new Error(`${name} now: HTTP ${response.status} ${await response.text()}`);
    };
    const xenCmdline = join(dataDir, 'host', 'xen-cmdline');
    const run = (program: string, ...args: string[]) => execFileSync(program, args);
    const viaService: number[] = [];
    const viaBare: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      viaService.push(
        await timed(async () => {
          for (let i = 0; i < CYCLES; i++) {
            await post('hide');
            await post('unhide');
          }
        }),
      );
      viaBare.push(
        await timed(async () => {
          for (let i = 0; i < CYCLES; i++) {
            run(xenCmdline, '--get-dom0', 'xen-pciback.hide', 'pciback.hide');
            run(xenCmdline, '--set-dom0', `xen-pciback.hide=(${NIC})`);
            run(xl.program, 'pci-assignable-add', NIC);
            run(xl.program, 'pci-assignable-remove', '-r', NIC);
            run(xenCmdline, '--get-dom0', 'xen-pciback.hide', 'pciback.hide');
            run(xenCmdline, '--delete-dom0', 'xen-pciback.hide');
          }
        }),
      );
    }
    const per = (ms: number) => `${(ms / (CYCLES * 2)).toFixed(1)} ms/command`;
    const now = median(viaService);
    const bare = median(viaBare);
    return {
      name: '14. hide/unhide applied now over HTTP',
      figure: per(now),
      baseline: `${per(bare)} bare xen-cmdline edit plus xl pci-assignable-add / -remove -r`,
      value: now / bare,
      goal: { op: '<=', target: 1.25, unit: 'x' },
      note: `median of ${ROUNDS} rounds of ${CYCLES * 2} commands each way, alternated`,
    };
  } finally {
    await stopService(service);
  }
}
