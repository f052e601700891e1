/** Invoices: three layouts, label wording variants, line items that add up to the total. */
import { addDays, formatDate, iso, plainAmount } from "../content.ts";
import { A4, LETTER, PageBuilder } from "../page-model.ts";
import type { Rng } from "../prng.ts";
import type { ComposedDocument } from "../types.ts";
import { itemsTable, keyValues, lineItemTruth, partyBlock, totalsBlock } from "./blocks.ts";
import { commercial, docNumber } from "./common.ts";

const NUMBER_LABELS = ["Invoice No.", "Invoice #", "Invoice Number", "Invoice No:", "Inv. No."] as const;
const DATE_LABELS = ["Date", "Invoice Date", "Issue Date", "Date of Issue"] as const;
const DUE_LABELS = ["Due Date", "Payment Due", "Due", "Pay By"] as const;
const BILL_TO = ["Bill To", "Billed To", "Customer", "Invoice To"] as const;
const TITLES = ["INVOICE", "Invoice", "TAX INVOICE", "Commercial Invoice"] as const;

export function composeInvoice(rng: Rng): ComposedDocument {
  const c = commercial(rng);
  const number = docNumber(rng, "INV", c.date.y);
  const terms = rng.pick([14, 30, 30, 45, 60]);
  const due = addDays(c.date, terms);
  const dateText = formatDate(c.date, c.dateStyle);
  const dueText = formatDate(due, c.dateStyle);
  const labels = {
    number: rng.pick(NUMBER_LABELS),
    date: rng.pick(DATE_LABELS),
    due: rng.pick(DUE_LABELS),
    billTo: rng.pick(BILL_TO),
    title: rng.pick(TITLES),
  };
  const layout = rng.int(0, 2);
  let page: PageBuilder;
  let shownTotal: string;

  if (layout === 0) {
    // classic: vendor top-left, title and meta top-right, bill-to, table, totals bottom-right
    page = new PageBuilder(LETTER.width, LETTER.height);
    page.text(c.seller.name, 50, 62, { size: 15, weight: "bold" });
    partyBlock(page, 50, 80, { ...c.seller, name: "" }, { contact: true, size: 9 });
    page.text(labels.title, 562, 64, { size: 22, weight: "bold", align: "right" });
    keyValues(
      page,
      370,
      100,
      [
        [labels.number, number],
        [labels.date, dateText],
        [labels.due, dueText],
      ],
      { right: 562 },
    );
    partyBlock(page, 50, 200, c.buyer, { label: labels.billTo });
    const y = itemsTable(page, 50, 290, 512, c.totals.items, c.table);
    const t = totalsBlock(page, 370, 556, y + 24, c.totals, c.currency, c.totalsStyle);
    shownTotal = t.totalShown;
    page.text(
      `Payment terms: Net ${terms} days. Please quote the invoice number with your payment.`,
      50,
      t.y + 36,
      { size: 9 },
    );
    page.text("Thank you for your business.", 50, t.y + 52, { size: 9, gray: 0.25 });
  } else if (layout === 1) {
    // banner: light band with the vendor, centred title, from/to columns, meta row, gridded table
    page = new PageBuilder(LETTER.width, LETTER.height);
    page.rect(0, 0, LETTER.width, 96, { fill: 0.92 });
    page.text(c.seller.name, 306, 48, { size: 18, weight: "bold", align: "center" });
    page.text(`${c.seller.address.join(", ")}`, 306, 68, { size: 9, align: "center" });
    page.text(`${c.seller.phone}  |  ${c.seller.email}`, 306, 82, { size: 9, align: "center" });
    page.text(labels.title, 50, 140, { size: 20, weight: "bold" });
    const metaY = 170;
    page.text(`${labels.number} ${number}`, 50, metaY, { size: 10 });
    page.text(`${labels.date}: ${dateText}`, 230, metaY, { size: 10 });
    page.text(`${labels.due}: ${dueText}`, 410, metaY, { size: 10 });
    page.line(50, metaY + 10, 562, metaY + 10, 0.5, 0.5);
    partyBlock(page, 50, 205, c.buyer, { label: labels.billTo });
    page.text(`Currency: ${c.currency}`, 562, 205, { size: 9.5, align: "right" });
    const y = itemsTable(page, 50, 300, 512, c.totals.items, {
      ...c.table,
      grid: true,
      headerFill: c.table.headerFill ?? 0.85,
    });
    const t = totalsBlock(page, 360, 556, y + 24, c.totals, c.currency, c.totalsStyle);
    shownTotal = t.totalShown;
    page.text(`Please pay within ${terms} days of the invoice date.`, 50, t.y + 30, { size: 9 });
  } else {
    // A4, vendor right-aligned, "label: value" runs on the left, bank details footer
    page = new PageBuilder(A4.width, A4.height);
    const right = A4.width - 50;
    partyBlock(page, right, 60, c.seller, { align: "right", size: 9.5, contact: true });
    page.text(labels.title, 50, 72, { size: 24, weight: "bold" });
    page.text(`${labels.number} ${number}`, 50, 170, { size: 10 });
    page.text(`${labels.date}: ${dateText}`, 50, 186, { size: 10 });
    page.text(`${labels.due}: ${dueText}`, 50, 202, { size: 10 });
    partyBlock(page, 50, 240, c.buyer, { label: labels.billTo });
    const y = itemsTable(page, 50, 330, A4.width - 100, c.totals.items, c.table);
    const t = totalsBlock(page, 330, right - 6, y + 24, c.totals, c.currency, c.totalsStyle);
    shownTotal = t.totalShown;
    const bank =
      c.region === "us"
        ? `Routing ${rng.int(100000000, 999999999)}  Account ${rng.int(10000000, 99999999)}`
        : c.region === "uk"
          ? `Sort code ${rng.int(10, 99)}-${rng.int(10, 99)}-${rng.int(10, 99)}  Account ${rng.int(10000000, 99999999)}`
          : `IBAN ${rng.pick(["DE", "NL", "FR", "BE", "AT"])}${rng.int(10, 99)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)} ${rng.int(10, 99)}`;
    page.line(50, A4.height - 90, right, A4.height - 90, 0.5, 0.5);
    page.text(`Bank details: ${bank}`, 50, A4.height - 72, { size: 9 });
    page.text(`Amounts in ${c.currency}. Late payments may incur interest.`, 50, A4.height - 58, { size: 9 });
  }

  return {
    type: "invoice",
    template: `invoice/${["classic", "banner", "a4-right"][layout]}`,
    pages: [page.spec()],
    fields: {
      invoice_number: number,
      invoice_date: iso(c.date),
      due_date: iso(due),
      vendor: c.seller.name,
      total: plainAmount(c.totals.totalCents),
      currency: c.currency,
    },
    shown: {
      invoice_number: [number],
      invoice_date: [dateText],
      due_date: [dueText],
      vendor: [c.seller.name],
      total: [shownTotal],
      currency: [c.currency],
    },
    lineItems: lineItemTruth(c.totals.items),
  };
}
