/** Plain-text tables and number formatting for benchmark reports. */

export type Align = "left" | "right";

export interface Column {
  header: string;
  align?: Align;
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (columns[i]?.align === "right" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const header = line(columns.map((c) => c.header));
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [header, rule, ...rows.map(line)].join("\n");
}

/** 12345.6 → "12,346". */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : String(n);
}

/** A ratio with two decimals, e.g. "3.41". */
export function formatRatio(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : String(n);
}

/** Median with its min–max spread in percent of the median: "84,930 (-3%/+2%)". */
export function formatRate(rate: { median: number; min: number; max: number }): string {
  const pct = (v: number): string => `${Math.round(((v - rate.median) / rate.median) * 100)}%`;
  const lo = pct(rate.min);
  const hi = pct(rate.max);
  return `${formatInt(rate.median)} (${lo}/${hi.startsWith("-") ? hi : `+${hi}`})`;
}
