import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeSysfs, startService, stopService, TOKEN, timed } from './fixtures.ts';
import type { Result } from './result.ts';

const CYCLES = 25;

/**
 * hide/unhide cycles over HTTP, against the same edits made bare: each a
 * read-modify-write of the hide list with xen-cmdline, as any correct script
 * must do it.
 */
export async function commands(dir: string): Promise<Result> {
  const ids = makeSysfs(join(dir, 'sysfs'), 8);
  const dataDir = join(dir, 'var');
  const service = await startService({ PASSTHRU_DATA_DIR: dataDir, PASSTHRU_SYSFS_PCI: join(dir, 'sysfs') });
  const target = ids[3]!;
  try {
    const post = async (name: string) => {
      const response = await fetch(`${service.url}/v1/pcis/${target}/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    };
    const viaService = await timed(async () => {
      for (let i = 0; i < CYCLES; i++) {
        await post('hide');
        await post('unhide');
      }
    });
    const xenCmdline = join(dataDir, 'host', 'xen-cmdline');
    const viaBare = await timed(async () => {
      for (let i = 0; i < CYCLES; i++) {
        execFileSync(xenCmdline, ['--get-dom0', 'xen-pciback.hide', 'pciback.hide']);
        execFileSync(xenCmdline, ['--set-dom0', `xen-pciback.hide=(${target})`]);
        execFileSync(xenCmdline, ['--get-dom0', 'xen-pciback.hide', 'pciback.hide']);
        execFileSync(xenCmdline, ['--delete-dom0', 'xen-pciback.hide']);
      }
    });
    const per = (ms: number) => `${(ms / (CYCLES * 2)).toFixed(1)} ms/command`;
    return {
      name: '2. hide/unhide commands over HTTP',
      figure: per(viaService),
      baseline: `${per(viaBare)} bare xen-cmdline read-modify-write`,
      value: viaService / viaBare,
      goal: { op: '<=', target: 1.25, unit: 'x' },
      note: `${CYCLES * 2} commands each way`,
    };
  } finally {
    await stopService(service);
  }
}
