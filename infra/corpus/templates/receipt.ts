/** Receipts: a narrow till slip, a service payment receipt, and a half-page sales receipt. */
import {
  CURRENCIES,
  DATE_STYLES,
  REGION_OF,
  TAX_RATES,
  address,
  company,
  displayAmount,
  formatDate,
  iso,
  lineItems,
  phone,
  plainAmount,
  randomDate,
  totals,
  type Totals,
} from "../content.ts";
import { LETTER, PageBuilder } from "../page-model.ts";
import type { Rng } from "../prng.ts";
import type { ComposedDocument } from "../types.ts";
import { MERCHANT_NAMES, RETAIL_ITEMS } from "../vocab.ts";
import {
  SUBTOTAL_LABELS,
  TABLE_LABELS,
  itemsTable,
  lineItemTruth,
  partyBlock,
  totalsBlock,
} from "./blocks.ts";

const TITLES = ["RECEIPT", "Sales Receipt", "Payment Receipt", "Cash Receipt"] as const;
const NUMBER_LABELS = ["Receipt No.", "Receipt #", "Trans. No.", "Ref."] as const;
const TOTAL_LABELS = ["TOTAL", "Total", "Amount Paid", "Total Paid"] as const;

export function composeReceipt(rng: Rng): ComposedDocument {
  const currency = rng.pick(CURRENCIES);
  const region = REGION_OF[currency];
  const layout = rng.int(0, 2);
  const date = randomDate(rng);
  const dateText = formatDate(date, rng.pick(DATE_STYLES));
  const time = `${String(rng.int(7, 21)).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}`;
  const number = String(rng.int(1000, 999999));
  const grouped = rng.chance(0.5);
  const totalsStyle = {
    totalLabel: rng.pick(TOTAL_LABELS),
    subtotalLabel: rng.pick(SUBTOTAL_LABELS),
    taxLabel: region === "us" ? "Sales Tax" : "VAT",
    grouped,
    currencyIn: rng.pick(["label", "suffix", "prefix"] as const),
  };
  const card = `${rng.pick(["VISA", "Mastercard", "Debit card", "AMEX"])} ****${rng.int(1000, 9999)}`;
  let page: PageBuilder;
  let merchant: string;
  let shownTotal: string;
  let tot: Totals;

  if (layout === 0) {
    merchant = rng.pick(MERCHANT_NAMES);
    const t = totals(
      lineItems(rng.fork("items"), rng.int(2, 8), RETAIL_ITEMS, 4),
      rng.pick(TAX_RATES[region]),
    );
    tot = t;
    const rows = t.items.reduce((s, i) => s + (i.quantity > 1 ? 2 : 1), 0);
    const W = 260;
    page = new PageBuilder(W, 300 + rows * 15 + (t.taxRate > 0 ? 34 : 0));
    const mid = W / 2;
    let y = 40;
    page.text(merchant, mid, y, { size: 13, weight: "bold", align: "center" });
    for (const line of address(rng.fork("addr"), region))
      page.text(line, mid, (y += 14), { size: 9, align: "center" });
    page.text(`Tel ${phone(rng, region)}`, mid, (y += 14), { size: 9, align: "center" });
    y += 22;
    page.text(`${rng.pick(NUMBER_LABELS)} ${number}`, 18, y, { size: 9 });
    page.text(`${dateText} ${time}`, W - 18, y, { size: 9, align: "right" });
    page.line(18, (y += 9), W - 18, y, 0.6);
    for (const item of t.items) {
      y += 15;
      page.text(item.description, 18, y, { size: 9 });
      page.text(displayAmount(item.amountCents, grouped), W - 18, y, { size: 9, align: "right" });
      if (item.quantity > 1)
        page.text(`${item.quantity} x ${displayAmount(item.unitCents, grouped)}`, 30, (y += 15), {
          size: 8.5,
          gray: 0.2,
        });
    }
    page.line(18, (y += 10), W - 18, y, 0.6);
    const tb = totalsBlock(page, 18, W - 18, y + 18, t, currency, { ...totalsStyle, size: 9.5 });
    shownTotal = tb.totalShown;
    y = tb.y + 6;
    page.text(`Paid by ${card}`, 18, y, { size: 9 });
    page.text(`Items: ${t.items.reduce((s, i) => s + i.quantity, 0)}`, 18, (y += 14), { size: 9 });
    page.text("Thank you for shopping with us!", mid, (y += 28), { size: 9, align: "center" });
  } else if (layout === 1) {
    const seller = company(rng.fork("seller"), region);
    const payer = company(rng.fork("payer"), region);
    merchant = seller.name;
    const t = totals(lineItems(rng.fork("items"), rng.int(1, 3)), 0);
    tot = t;
    page = new PageBuilder(LETTER.width, LETTER.height);
    partyBlock(page, 50, 60, seller, { contact: true, size: 9.5 });
    page.text(rng.pick(TITLES), 562, 64, { size: 20, weight: "bold", align: "right" });
    page.text(`${rng.pick(NUMBER_LABELS)} ${number}`, 562, 90, { size: 10, align: "right" });
    page.text(`Date: ${dateText}`, 562, 106, { size: 10, align: "right" });
    partyBlock(page, 50, 190, payer, { label: "Received from" });
    const y = itemsTable(page, 50, 280, 512, t.items, {
      grid: false,
      labels: rng.pick(TABLE_LABELS),
      grouped,
    });
    const tb = totalsBlock(page, 340, 556, y + 24, t, currency, totalsStyle);
    shownTotal = tb.totalShown;
    page.text(`Payment method: ${rng.pick(["Bank transfer", card, "Cheque"])}`, 50, tb.y + 30, { size: 9.5 });
    page.text("This receipt confirms that the payment above has been received in full.", 50, tb.y + 46, {
      size: 9.5,
    });
  } else {
    merchant = rng.pick(MERCHANT_NAMES);
    const t = totals(
      lineItems(rng.fork("items"), rng.int(1, 6), RETAIL_ITEMS, 5),
      rng.pick(TAX_RATES[region]),
    );
    tot = t;
    page = new PageBuilder(420, 595);
    page.text(merchant, 36, 50, { size: 15, weight: "bold" });
    const addr = address(rng.fork("addr"), region);
    page.text(addr.join(", "), 36, 66, { size: 8.5 });
    page.text(rng.pick(TITLES), 384, 50, { size: 12, weight: "bold", align: "right" });
    page.text(`${rng.pick(NUMBER_LABELS)} ${number}`, 36, 100, { size: 9.5 });
    page.text(`Date ${dateText}`, 384, 100, { size: 9.5, align: "right" });
    const y = itemsTable(page, 36, 120, 348, t.items, {
      grid: rng.chance(0.5),
      labels: rng.pick(TABLE_LABELS),
      grouped,
      size: 9,
    });
    const tb = totalsBlock(page, 200, 378, y + 22, t, currency, totalsStyle);
    shownTotal = tb.totalShown;
    page.text(`Paid by ${card}`, 36, tb.y + 20, { size: 9 });
  }

  return {
    type: "receipt",
    template: `receipt/${["till-slip", "payment", "half-page"][layout]}`,
    pages: [page.spec()],
    fields: { merchant, date: iso(date), total: plainAmount(tot.totalCents), currency },
    shown: { merchant: [merchant], date: [dateText], total: [shownTotal], currency: [currency] },
    lineItems: lineItemTruth(tot.items),
  };
}
