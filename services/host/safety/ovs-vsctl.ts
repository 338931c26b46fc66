import { runProgram } from '../run-program.ts';

/** What Open vSwitch holds under a bridge, and the real bridge it found it on. */
export interface OvsBridge {
  readonly bridge: string;
  readonly interfaces: readonly string[];
}

/**
 * Asks Open vSwitch as xapi's networkd does: a VLAN's fake bridge to its
 * parent (`br-to-parent` prints a real bridge's own name), then the parent's
 * interfaces (`list-ifaces` names a bond's members, not the bond).
 */
export async function ovsBridge(program: string, name: string, timeoutMs: number): Promise<OvsBridge> {
  const lines = async (args: string[]) =>
    (await runProgram(program, args, timeoutMs)).stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  const [bridge = name] = await lines(['br-to-parent', name]);
  return { bridge, interfaces: await lines(['list-ifaces', bridge]) };
}
