// The types of twin-state.js, for the test helper that lays a twin out (test/support/xcp-ng-twin.ts).
export interface TwinDomain {
  name: string;
  uuid: string;
  type: 'hvm' | 'pv';
  by: 'xenopsd' | 'xl';
  devices: string[];
}

export interface TwinState {
  boot: string;
  xenstore: Record<string, string>;
  domains: Record<string, TwinDomain>;
  quarantined: string[];
  assigned: Record<string, number>;
  newSlots: string[];
  removedSlots: string[];
}

export interface TwinConfig {
  sysfs: string;
  procCmdline: string;
  bootId: string;
  drivers: Record<string, string>;
}

export function useTwin(path: string): void;
export function config(): TwinConfig;
export function load(): TwinState;
export function save(state: TwinState): void;
export function xsWrite(state: TwinState, path: string, value: string): void;
export function xsRemove(state: TwinState, path: string): void;
export function kernelWrite(state: TwinState, file: string, value: string): void;
export function driverOf(id: string): string | null;
export function seized(state: TwinState, id: string): boolean;
export function boot(): void;
