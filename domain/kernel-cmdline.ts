import { mergeHideLists, parseHideList, type HideList } from './hide-list.ts';

export interface KernelParameter {
  readonly key: string;
  readonly value: string | null;
}

/** The key passthru writes; `pciback.hide` is what a modular pciback reads. */
export const HIDE_KEY = 'xen-pciback.hide';
export const HIDE_KEYS = [HIDE_KEY, 'pciback.hide'] as const;

/**
 * Splits a command line the way the kernel's `next_arg` does: whitespace
 * separates parameters except inside double quotes, and quotes around a whole
 * parameter or around its value are dropped.
 */
export function parseKernelCmdline(line: string): KernelParameter[] {
  const parameters: KernelParameter[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let token = '';
    let quoted = false;
    while (i < line.length && (quoted || !/\s/.test(line[i]!))) {
      if (line[i] === '"') quoted = !quoted;
      token += line[i];
      i++;
    }
    parameters.push(splitParameter(token));
  }
  return parameters;
}

function splitParameter(token: string): KernelParameter {
  const equals = token.indexOf('=');
  if (equals < 0) return { key: unquote(token), value: null };
  return { key: unquote(token.slice(0, equals)), value: unquote(token.slice(equals + 1)) };
}

function unquote(text: string): string {
  return text.replace(/"/g, '');
}

/** The kernel treats `-` and `_` in parameter names as the same character. */
function sameKey(a: string, b: string): boolean {
  return a.replace(/_/g, '-') === b.replace(/_/g, '-');
}

/**
 * The hide list a command line gives xen-pciback. A string module parameter
 * keeps its last value, so each key counts once; both keys are read because
 * which one the kernel obeys depends on how pciback was built.
 */
export function hideListOf(parameters: readonly KernelParameter[]): HideList {
  return mergeHideLists(
    HIDE_KEYS.map((key) => parseHideList(parameters.findLast((p) => sameKey(p.key, key))?.value ?? '')),
  );
}

export function hasHideKey(parameters: readonly KernelParameter[], key: string): boolean {
  return parameters.some((p) => sameKey(p.key, key));
}
