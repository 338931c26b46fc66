/** When a command takes effect: at the next boot (the boot list alone), or now as well (handed over through xl). */
export const APPLY_MODES = ['next-boot', 'now'] as const;
export type Apply = (typeof APPLY_MODES)[number];
