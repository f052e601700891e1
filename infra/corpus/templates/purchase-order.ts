/** Purchase orders: three layouts; the buyer issues the order to a vendor. */
import { addDays, formatDate, iso, plainAmount } from "../content.ts";
import { A4, LETTER, PageBuilder } from "../page-model.ts";
import type { Rng } from "../prng.ts";
import type { ComposedDocument } from "../types.ts";
import { itemsTable, keyValues, lineItemTruth, partyBlock, totalsBlock } from "./blocks.ts";
import { commercial, docNumber } from "./common.ts";

const NUMBER_LABELS = ["PO Number", "P.O. No.", "PO #", "Purchase Order No.", "Order No."] as const;
const DATE_LABELS = ["Date", "Order Date", "PO Date", "Issued"] as const;
const VENDOR_LABELS = ["Vendor", "Supplier", "To"] as const;
const BUYER_LABELS = ["Buyer", "Ship To", "Ordered By", "Deliver To"] as const;
const TITLES = ["PURCHASE ORDER", "Purchase Order", "PURCHASE ORDER FORM"] as const;

export function composePurchaseOrder(rng: Rng): ComposedDocument {
  const c = commercial(rng, 8);
  // on a purchase order the issuer is the buyer, the vendor is the addressee
  const buyer = c.seller;
  const vendor = c.buyer;
  const number = docNumber(rng, "PO", c.date.y);
  const dateText = formatDate(c.date, c.dateStyle);
  const delivery = formatDate(addDays(c.date, rng.int(7, 40)), c.dateStyle);
  const labels = {
    number: rng.pick(NUMBER_LABELS),
    date: rng.pick(DATE_LABELS),
    vendor: rng.pick(VENDOR_LABELS),
    buyer: rng.pick(BUYER_LABELS),
    title: rng.pick(TITLES),
  };
  const layout = rng.int(0, 2);
  let page: PageBuilder;
  let shownTotal: string;
  const requester = `${rng.pick(["Requested by", "Contact", "Approved by"])}: ${rng.pick(["J. Carter", "M. Rossi", "A. Keller", "S. Morgan", "L. Dubois"])}`;

  if (layout === 0) {
    page = new PageBuilder(LETTER.width, LETTER.height);
    page.text(buyer.name, 50, 62, { size: 15, weight: "bold" });
    let y = 62;
    for (const line of buyer.address) page.text(line, 50, (y += 13), { size: 9 });
    page.text(labels.title, 562, 64, { size: 18, weight: "bold", align: "right" });
    keyValues(
      page,
      380,
      96,
      [
        [labels.number, number],
        [labels.date, dateText],
        ["Delivery by", delivery],
      ],
      { right: 562 },
    );
    partyBlock(page, 50, 190, vendor, { label: labels.vendor });
    partyBlock(page, 320, 190, { ...buyer, address: buyer.address.slice(0, 2) }, { label: labels.buyer });
    const yt = itemsTable(page, 50, 290, 512, c.totals.items, c.table);
    const t = totalsBlock(page, 360, 556, yt + 24, c.totals, c.currency, c.totalsStyle);
    shownTotal = t.totalShown;
    page.text(requester, 50, t.y + 30, { size: 9.5 });
    page.text("Please confirm receipt of this order and the expected delivery date.", 50, t.y + 46, {
      size: 9.5,
    });
  } else if (layout === 1) {
    page = new PageBuilder(A4.width, A4.height);
    const right = A4.width - 50;
    page.text(labels.title, A4.width / 2, 60, { size: 20, weight: "bold", align: "center" });
    page.text(`${labels.number}: ${number}`, 50, 100, { size: 10.5, weight: "bold" });
    page.text(`${labels.date}: ${dateText}`, right, 100, { size: 10.5, align: "right" });
    page.line(50, 110, right, 110, 0.75);
    partyBlock(page, 50, 135, buyer, { label: labels.buyer, contact: true });
    partyBlock(page, 310, 135, vendor, { label: labels.vendor });
    page.text(`Currency: ${c.currency}`, 50, 260, { size: 9.5 });
    page.text(`Required delivery: ${delivery}`, 310, 260, { size: 9.5 });
    const yt = itemsTable(page, 50, 280, A4.width - 100, c.totals.items, { ...c.table, grid: true });
    const t = totalsBlock(page, 330, right - 6, yt + 24, c.totals, c.currency, c.totalsStyle);
    shownTotal = t.totalShown;
    page.text(requester, 50, t.y + 30, { size: 9.5 });
  } else {
    page = new PageBuilder(LETTER.width, LETTER.height);
    page.rect(40, 40, 532, 70, { stroke: 0.3 });
    page.text(labels.title, 56, 72, { size: 17, weight: "bold" });
    page.text(buyer.name, 556, 66, { size: 11, weight: "bold", align: "right" });
    page.text(buyer.address.join(", "), 556, 84, { size: 8.5, align: "right" });
    page.text(`${buyer.phone}  ${buyer.email}`, 556, 98, { size: 8.5, align: "right" });
    keyValues(
      page,
      50,
      140,
      [
        [labels.number, number],
        [labels.date, dateText],
        ["Payment terms", `Net ${rng.pick([30, 45, 60])}`],
      ],
      { valueX: 170 },
    );
    partyBlock(page, 330, 140, vendor, { label: labels.vendor });
    const yt = itemsTable(page, 50, 250, 512, c.totals.items, c.table);
    const t = totalsBlock(page, 360, 556, yt + 24, c.totals, c.currency, c.totalsStyle);
    shownTotal = t.totalShown;
    page.text(`Deliver to ${buyer.address[0]} by ${delivery}.`, 50, t.y + 30, { size: 9.5 });
    page.text(requester, 50, t.y + 46, { size: 9.5 });
  }

  return {
    type: "purchase_order",
    template: `purchase_order/${["classic", "centred-a4", "boxed"][layout]}`,
    pages: [page.spec()],
    fields: {
      po_number: number,
      date: iso(c.date),
      buyer: buyer.name,
      vendor: vendor.name,
      total: plainAmount(c.totals.totalCents),
      currency: c.currency,
    },
    shown: {
      po_number: [number],
      date: [dateText],
      buyer: [buyer.name],
      vendor: [vendor.name],
      total: [shownTotal],
      currency: [c.currency],
    },
    lineItems: lineItemTruth(c.totals.items),
  };
}
