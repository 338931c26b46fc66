import { hostFailure } from '../../domain/errors.ts';
import { parseKernelCmdline, type KernelParameter } from '../../domain/kernel-cmdline.ts';
import { runProgram, ProgramFailure } from './run-program.ts';

/** The boot configuration tool of a XenServer / XCP-ng dom0, driven by argument vectors. */
export class XenCmdline {
  constructor(
    private readonly program: string,
    private readonly timeoutMs: number,
  ) {}

  /** The dom0 parameters of the next boot among `keys`, as xen-cmdline prints them. */
  async getDom0(keys: readonly string[]): Promise<KernelParameter[]> {
    const { stdout } = await this.run(['--get-dom0', ...keys]);
    return validated(stdout, keys, this.program);
  }

  /** One key a call, as `deleteDom0`. */
  async setDom0(key: string, value: string): Promise<void> {
    await this.run(['--set-dom0', `${key}=${value}`]);
  }

  /**
   * One key a call: xen-cmdline's `_filter_args` keeps one copy of every other
   * argument per key it is given (xcp-ng-release, opt/xensource/libexec/xen-cmdline),
   * so a delete of two keys at once doubles the rest of the dom0 line.
   */
  async deleteDom0(key: string): Promise<void> {
    await this.run(['--delete-dom0', key]);
  }

  private async run(args: string[]) {
    try {
      return await runProgram(this.program, args, this.timeoutMs);
    } catch (error) {
      if (error instanceof ProgramFailure) throw hostFailure(error.message, { reason: error.reason });
      throw error;
    }
  }
}

// Printable text, on one line or one line a key; anything else is not xen-cmdline answering.
const COMMAND_LINE = /^[\x20-\x7e\n]*$/;

function validated(stdout: string, keys: readonly string[], program: string): KernelParameter[] {
  const garbage = () =>
    hostFailure(`${program} --get-dom0 printed something that is not a command line`, {
      reason: 'output',
      output: JSON.stringify(stdout.slice(0, 120)),
    });
  if (!COMMAND_LINE.test(stdout)) throw garbage();
  const parameters = parseKernelCmdline(stdout);
  if (parameters.some((p) => !keys.includes(p.key))) throw garbage();
  return parameters;
}
