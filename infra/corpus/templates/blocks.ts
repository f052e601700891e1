/**
 * Building blocks the business templates share: address blocks, line-item tables, totals, label
 * wording variants. Each returns the y below what it drew.
 */
import type { Currency, LineItem, Party, Totals } from "../content.ts";
import { displayAmount, plainAmount } from "../content.ts";
import type { PageBuilder } from "../page-model.ts";
import type { LineItemTruth } from "../types.ts";

export function partyBlock(
  page: PageBuilder,
  x: number,
  y: number,
  party: Party,
  opts: {
    label?: string;
    size?: number;
    nameWeight?: "regular" | "bold";
    contact?: boolean;
    align?: "left" | "right";
  },
): number {
  const size = opts.size ?? 9.5;
  const lead = size * 1.35;
  const align = opts.align ?? "left";
  let cy = y;
  if (opts.label) {
    page.text(opts.label, x, cy, { size: size - 0.5, weight: "bold", gray: 0.3, align });
    cy += lead;
  }
  page.text(party.name, x, cy, { size, weight: opts.nameWeight ?? "bold", align });
  cy += lead;
  for (const line of party.address) {
    page.text(line, x, cy, { size, align });
    cy += lead;
  }
  if (opts.contact) {
    page.text(party.phone, x, cy, { size, align });
    cy += lead;
    page.text(party.email, x, cy, { size, align });
    cy += lead;
  }
  return cy;
}

export interface TableStyle {
  headerFill?: number;
  grid: boolean;
  labels: { description: string; quantity: string; unit: string; amount: string };
  grouped: boolean;
  size?: number;
}

export const TABLE_LABELS = [
  { description: "Description", quantity: "Qty", unit: "Unit Price", amount: "Amount" },
  { description: "Item", quantity: "Quantity", unit: "Rate", amount: "Line Total" },
  { description: "Product / Service", quantity: "Qty", unit: "Price", amount: "Total" },
  { description: "Details", quantity: "Units", unit: "Unit Cost", amount: "Amount" },
] as const;

/** Line items as a table from x to x+width; the amount column is right-aligned. */
export function itemsTable(
  page: PageBuilder,
  x: number,
  y: number,
  width: number,
  items: LineItem[],
  style: TableStyle,
): number {
  const size = style.size ?? 9.5;
  const row = size * 2;
  const cols = { desc: x + 6, qty: x + width * 0.58, unit: x + width * 0.8, amount: x + width - 6 };
  if (style.headerFill !== undefined) page.rect(x, y, width, row, { fill: style.headerFill });
  const headerGray = style.headerFill !== undefined && style.headerFill < 0.5 ? 1 : 0;
  const base = y + row * 0.68;
  page.text(style.labels.description, cols.desc, base, { size, weight: "bold", gray: headerGray });
  page.text(style.labels.quantity, cols.qty, base, {
    size,
    weight: "bold",
    gray: headerGray,
    align: "right",
  });
  page.text(style.labels.unit, cols.unit, base, { size, weight: "bold", gray: headerGray, align: "right" });
  page.text(style.labels.amount, cols.amount, base, {
    size,
    weight: "bold",
    gray: headerGray,
    align: "right",
  });
  let cy = y + row;
  page.line(x, cy, x + width, cy, 0.75);
  for (const item of items) {
    const b = cy + row * 0.68;
    page.text(item.description, cols.desc, b, { size });
    page.text(String(item.quantity), cols.qty, b, { size, align: "right" });
    page.text(displayAmount(item.unitCents, style.grouped), cols.unit, b, { size, align: "right" });
    page.text(displayAmount(item.amountCents, style.grouped), cols.amount, b, { size, align: "right" });
    cy += row;
    if (style.grid) page.line(x, cy, x + width, cy, 0.4, 0.6);
  }
  if (!style.grid) page.line(x, cy, x + width, cy, 0.75);
  if (style.grid) {
    page.rect(x, y, width, cy - y, { stroke: 0.4 });
  }
  return cy;
}

export interface TotalsStyle {
  totalLabel: string;
  subtotalLabel: string;
  taxLabel: string;
  grouped: boolean;
  /** Where the currency code is printed: in the total's label ("Total (EUR)") or after the amount. */
  currencyIn: "label" | "suffix" | "prefix";
  size?: number;
}

export const TOTAL_LABELS = [
  "Total",
  "Total Due",
  "Amount Due",
  "Grand Total",
  "Balance Due",
  "TOTAL",
] as const;
export const SUBTOTAL_LABELS = ["Subtotal", "Sub-total", "Net Amount", "Subtotal (net)"] as const;
export const TAX_LABELS = ["Tax", "VAT", "Sales Tax"] as const;

/**
 * Subtotal / tax / total lines right-aligned at `right`; returns the y below and the literal strings
 * printed for the total and the currency (for the truth's `shown`).
 */
export function totalsBlock(
  page: PageBuilder,
  labelX: number,
  right: number,
  y: number,
  t: Totals,
  currency: Currency,
  style: TotalsStyle,
): { y: number; totalShown: string; currencyShown: string } {
  const size = style.size ?? 10;
  const lead = size * 1.7;
  let cy = y;
  if (t.taxRate > 0) {
    page.text(style.subtotalLabel, labelX, cy, { size });
    page.text(displayAmount(t.subtotalCents, style.grouped), right, cy, { size, align: "right" });
    cy += lead;
    const rate = Number.isInteger(t.taxRate) ? String(t.taxRate) : t.taxRate.toFixed(2).replace(/0$/, "");
    page.text(`${style.taxLabel} (${rate}%)`, labelX, cy, { size });
    page.text(displayAmount(t.taxCents, style.grouped), right, cy, { size, align: "right" });
    cy += lead;
  }
  const amount = displayAmount(t.totalCents, style.grouped);
  const label = style.currencyIn === "label" ? `${style.totalLabel} (${currency})` : style.totalLabel;
  const value =
    style.currencyIn === "suffix"
      ? `${amount} ${currency}`
      : style.currencyIn === "prefix"
        ? `${currency} ${amount}`
        : amount;
  page.line(labelX, cy - size * 1.1, right, cy - size * 1.1, 0.5, 0.4);
  page.text(label, labelX, cy + 2, { size: size + 1, weight: "bold" });
  page.text(value, right, cy + 2, { size: size + 1, weight: "bold", align: "right" });
  return { y: cy + lead, totalShown: amount, currencyShown: currency };
}

export function lineItemTruth(items: LineItem[]): LineItemTruth[] {
  return items.map((i) => ({
    description: i.description,
    quantity: i.quantity,
    unit_price: plainAmount(i.unitCents),
    amount: plainAmount(i.amountCents),
  }));
}

/** "label: value" or "label value" pairs stacked; returns the y below. */
export function keyValues(
  page: PageBuilder,
  x: number,
  y: number,
  pairs: [string, string][],
  opts: { size?: number; valueX?: number; align?: "left" | "right"; right?: number },
): number {
  const size = opts.size ?? 9.5;
  const lead = size * 1.5;
  let cy = y;
  for (const [k, v] of pairs) {
    page.text(k, x, cy, { size, weight: "bold" });
    if (opts.right !== undefined) page.text(v, opts.right, cy, { size, align: "right" });
    else page.text(v, opts.valueX ?? x + 90, cy, { size });
    cy += lead;
  }
  return cy;
}
