import type { DocumentType } from "../classify/model.ts";

/**
 * What `extract` looks for in each document type: the field names (shared with the corpus' ground
 * truth and the accuracy benchmark), the label phrases that announce each field on a page (variants
 * a real document uses: `Invoice No.`, `Invoice #`, `Inv. Number`, ...), and the kind of value, which
 * decides how a candidate is validated and normalized.
 */
export type FieldKind = "id" | "date" | "amount" | "currency" | "name" | "text" | "term" | "parties";

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Label phrases as lower-case token sequences (see tokens.ts); the longest match wins. */
  labels: readonly string[];
  /** Where to look when no label is found (a heading line, a sentence). */
  fallback?: "letterhead" | "addressee" | "between";
}

const TOTAL = [
  "total",
  "total due",
  "amount due",
  "grand total",
  "balance due",
  "total amount",
  "total eur",
  "total usd",
  "amount payable",
];
const CURRENCY = ["currency"];

export const FIELD_SPECS: Readonly<Record<DocumentType, readonly FieldSpec[]>> = {
  invoice: [
    {
      name: "invoice_number",
      kind: "id",
      labels: [
        "invoice no",
        "invoice number",
        "invoice #",
        "invoice nr",
        "inv no",
        "inv #",
        "invoice id",
        "invoice ref",
        "number",
        "no",
      ],
    },
    {
      name: "invoice_date",
      kind: "date",
      labels: ["invoice date", "date of issue", "issue date", "issued", "date"],
    },
    { name: "due_date", kind: "date", labels: ["due date", "payment due", "due by", "pay by", "due"] },
    {
      name: "vendor",
      kind: "name",
      labels: ["vendor", "from", "seller", "supplier", "issued by", "bill from"],
      fallback: "letterhead",
    },
    { name: "total", kind: "amount", labels: TOTAL },
    { name: "currency", kind: "currency", labels: CURRENCY },
  ],
  receipt: [
    {
      name: "merchant",
      kind: "name",
      labels: ["merchant", "store", "shop", "sold by"],
      fallback: "letterhead",
    },
    { name: "date", kind: "date", labels: ["date", "date time", "purchased", "transaction date"] },
    { name: "total", kind: "amount", labels: [...TOTAL, "total paid", "amount paid", "paid"] },
    { name: "currency", kind: "currency", labels: CURRENCY },
  ],
  purchase_order: [
    {
      name: "po_number",
      kind: "id",
      labels: [
        "po number",
        "po no",
        "po #",
        "p o no",
        "p o number",
        "purchase order no",
        "purchase order number",
        "purchase order #",
        "order no",
        "order number",
      ],
    },
    { name: "date", kind: "date", labels: ["po date", "order date", "date"] },
    { name: "buyer", kind: "name", labels: ["buyer", "bill to", "ordered by", "purchaser", "customer"] },
    { name: "vendor", kind: "name", labels: ["vendor", "supplier", "seller", "to"] },
    { name: "total", kind: "amount", labels: TOTAL },
    { name: "currency", kind: "currency", labels: CURRENCY },
  ],
  contract: [
    { name: "parties", kind: "parties", labels: ["parties", "between"], fallback: "between" },
    {
      name: "effective_date",
      kind: "date",
      labels: ["effective date", "effective as of", "effective", "dated", "commencement date", "start date"],
    },
    { name: "term", kind: "term", labels: ["term", "duration", "contract term", "initial term"] },
  ],
  letter: [
    { name: "sender", kind: "name", labels: ["from", "sender"], fallback: "letterhead" },
    {
      name: "recipient",
      kind: "name",
      labels: ["to", "recipient", "attn", "attention"],
      fallback: "addressee",
    },
    { name: "date", kind: "date", labels: ["date", "dated"] },
    { name: "subject", kind: "text", labels: ["subject", "re", "regarding", "subj"] },
  ],
};
