/**
 * Plain-text table for terminals: left-aligned columns, numbers right-aligned, two spaces apart.
 * Cells are made single-line first (a newline, tab or other control character in a value — a
 * tenant's status reason is free text — would break every column after it) and measured in
 * terminal columns (a wide CJK character or emoji takes two), so the columns line up whatever the
 * values hold.
 */

/** `text` on one line: control characters (newlines, tabs, escapes) become spaces. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
}

// East Asian wide and fullwidth ranges, and emoji: two terminal columns each.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;
/** Combining marks, zero-width characters and variation selectors: no column. */
function zeroWidth(cp: number): boolean {
  return (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    cp === 0x2060 ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  );
}

/** How many terminal columns `text` takes (of a single-line string). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += zeroWidth(ch.codePointAt(0) ?? 0) ? 0 : WIDE.test(ch) ? 2 : 1;
  return w;
}

const padEnd = (s: string, w: number) => s + " ".repeat(Math.max(0, w - displayWidth(s)));
const padStart = (s: string, w: number) => " ".repeat(Math.max(0, w - displayWidth(s))) + s;

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => headers.map((_, i) => oneLine(r[i] ?? "")));
  const widths = headers.map((h, i) =>
    Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i] ?? ""))),
  );
  const numeric = headers.map(
    (_, i) => cells.length > 0 && cells.every((r) => /^-?[\d.]+$|^-$|^\?$/.test(r[i] ?? "")),
  );
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => {
        const w = widths[i] ?? displayWidth(c);
        const last = i === row.length - 1;
        if (numeric[i]) return padStart(c, w);
        return last ? c : padEnd(c, w);
      })
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}
