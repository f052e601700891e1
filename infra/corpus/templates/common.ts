/** Content every commercial document (invoice, purchase order) draws before choosing a layout. */
import type { Rng } from "../prng.ts";
import {
  CURRENCIES,
  DATE_STYLES,
  REGION_OF,
  TAX_RATES,
  company,
  lineItems,
  randomDate,
  totals,
  type Currency,
  type DateStyle,
  type DateValue,
  type Party,
  type Region,
  type Totals,
} from "../content.ts";
import {
  SUBTOTAL_LABELS,
  TABLE_LABELS,
  TAX_LABELS,
  TOTAL_LABELS,
  type TableStyle,
  type TotalsStyle,
} from "./blocks.ts";

export interface Commercial {
  currency: Currency;
  region: Region;
  seller: Party;
  buyer: Party;
  date: DateValue;
  dateStyle: DateStyle;
  totals: Totals;
  table: TableStyle;
  totalsStyle: TotalsStyle;
}

export function commercial(rng: Rng, maxItems = 7): Commercial {
  const currency = rng.pick(CURRENCIES);
  const region = REGION_OF[currency];
  const grouped = rng.chance(0.6);
  const taxLabel = region === "us" ? "Sales Tax" : rng.pick(TAX_LABELS);
  return {
    currency,
    region,
    seller: company(rng.fork("seller"), region),
    buyer: company(rng.fork("buyer"), rng.chance(0.8) ? region : rng.pick(["us", "uk", "eu"] as const)),
    date: randomDate(rng),
    dateStyle: rng.pick(DATE_STYLES),
    totals: totals(lineItems(rng.fork("items"), rng.int(1, maxItems)), rng.pick(TAX_RATES[region])),
    table: {
      grid: rng.chance(0.5),
      labels: rng.pick(TABLE_LABELS),
      grouped,
      headerFill: rng.pick([undefined, 0.88, 0.8]),
    },
    totalsStyle: {
      totalLabel: rng.pick(TOTAL_LABELS),
      subtotalLabel: rng.pick(SUBTOTAL_LABELS),
      taxLabel,
      grouped,
      currencyIn: rng.pick(["label", "suffix", "prefix"] as const),
    },
  };
}

/** A document number in one of a few common shapes. */
export function docNumber(rng: Rng, prefix: string, year: number): string {
  switch (rng.int(0, 4)) {
    case 0:
      return `${prefix}-${year}-${String(rng.int(1, 99999)).padStart(5, "0")}`;
    case 1:
      return String(rng.int(10000, 999999));
    case 2:
      return `${prefix}${rng.int(100000, 999999)}`;
    case 3:
      return `${String.fromCharCode(65 + rng.int(0, 25))}-${rng.int(1000, 99999)}`;
    default:
      return `${year}/${String(rng.int(1, 9999)).padStart(4, "0")}`;
  }
}
