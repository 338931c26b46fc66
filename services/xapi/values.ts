/** What both wire formats carry: XML-RPC's value types, which JSON can hold too. */
export type RpcValue = string | number | boolean | null | readonly RpcValue[] | RpcStruct;
export interface RpcStruct {
  readonly [name: string]: RpcValue;
}

/** A value as text for an error parameter, which XAPI always sends as strings. */
export function asText(value: RpcValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Values nested deeper are refused at the door: no XAPI call takes more than a few levels, and deeper ones exhaust the stack of whatever walks them. */
export const MAX_NESTING = 64;

/** Whether arrays and structs inside `value` go deeper than `MAX_NESTING`; walked without recursion. */
export function nestedTooDeep(value: unknown): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= MAX_NESTING) return true;
    for (const inner of Object.values(next.value)) pending.push({ value: inner, depth: next.depth + 1 });
  }
  return false;
}
