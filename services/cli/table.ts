/**
 * Stored or host text as a terminal shows it, every character seen: a reason
 * or a guest name holding `\r`, ESC or a newline would otherwise move the
 * cursor, recolour or rewrite rows (a forged or hidden audit row). C0 and C1
 * controls and DEL become `\r`, `\n`, `\t` or `\xNN`; the line and paragraph
 * separators and the bidirectional overrides, which reorder what is read, `\u{NNNN}`.
 */
export function visible(text: string): string {
  return text.replace(UNSEEN, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

const UNSEEN = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

/** Left-aligned columns, as wide as their widest cell; every cell shown with `visible`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const shown = rows.map((row) => row.map(visible));
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...shown.map(line)];
}
