/** What both wire formats carry: XML-RPC's value types, which JSON can hold too. */
export type RpcValue = string | number | boolean | null | readonly RpcValue[] | RpcStruct;
export interface RpcStruct {
  readonly [name: string]: RpcValue;
}

/** A value as text for an error parameter, which XAPI always sends as strings. */
export function asText(value: RpcValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
