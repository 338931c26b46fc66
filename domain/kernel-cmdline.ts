import { parseHideList, type HideList } from './hide-list.ts';

export interface KernelParameter {
  readonly key: string;
  readonly value: string | null;
}

/** The key xen-pciback reads, built in or as a module, and the one passthru writes. */
export const HIDE_KEY = 'xen-pciback.hide';
/**
 * The old module's key: the module is `xen-pciback` with no `pciback` alias,
 * so no current kernel reads it. It is reported, never counted as hiding anything.
 */
export const IGNORED_HIDE_KEY = 'pciback.hide';
export const HIDE_KEYS = [HIDE_KEY, IGNORED_HIDE_KEY] as const;

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
export function sameKey(a: string, b: string): boolean {
  return a.replace(/_/g, '-') === b.replace(/_/g, '-');
}

/**
 * The hide list a command line gives under a key, by default the one
 * xen-pciback reads. A string module parameter keeps its last value.
 */
export function hideListOf(parameters: readonly KernelParameter[], key: string = HIDE_KEY): HideList {
  return parseHideList(valueOf(parameters, key) ?? '');
}

/** The value a key has on a command line (a key without one has ''); null when it is absent. */
export function valueOf(parameters: readonly KernelParameter[], key: string): string | null {
  const parameter = parameters.findLast((p) => sameKey(p.key, key));
  return parameter ? (parameter.value ?? '') : null;
}

export function hasHideKey(parameters: readonly KernelParameter[], key: string): boolean {
  return parameters.some((p) => sameKey(p.key, key));
}
