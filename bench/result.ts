/** One row of the table: a figure, what it is compared with, and whether it meets its goal. */
export interface Result {
  readonly name: string;
  readonly figure: string;
  readonly baseline: string;
  /** The measured ratio or value the goal is about. */
  readonly value: number;
  readonly goal: { readonly op: '>=' | '<='; readonly target: number; readonly unit: string };
  readonly note?: string;
}

export const met = (r: Result) => (r.goal.op === '>=' ? r.value >= r.goal.target : r.value <= r.goal.target);

export function verdict(r: Result): string {
  if (met(r)) return 'met';
  const by = r.goal.op === '>=' ? r.goal.target - r.value : r.value - r.goal.target;
  return `NOT met, off by ${by.toFixed(2)}${r.goal.unit}`;
}

export function markdownTable(results: readonly Result[]): string {
  const rows = results.map((r) => [
    r.name,
    r.figure,
    r.baseline,
    `${r.value.toFixed(2)}${r.goal.unit}`,
    `${r.goal.op} ${r.goal.target}${r.goal.unit}`,
    verdict(r),
  ]);
  const header = ['benchmark', 'figure', 'baseline', 'ratio / value', 'goal', 'verdict'];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
