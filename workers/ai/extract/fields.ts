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
  /**
   * Free text may follow its label with a plain space (`Dear Ms Smith,`); otherwise a free-text
   * value needs a `:` or a column gap after its label.
   */
  inline?: boolean;
  /** Where to look when no label gives a value (see fallbacks.ts). */
  fallback?: "letterhead" | "first-date" | "term-sentence" | "between";
}

const TOTAL = [
  "total",
  "total due",
  "amount due",
  "grand total",
  "balance due",
  "total amount",
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
      labels: ["vendor", "seller", "supplier", "bill from"],
      fallback: "letterhead",
    },
    { name: "total", kind: "amount", labels: TOTAL },
    { name: "currency", kind: "currency", labels: CURRENCY },
  ],
  receipt: [
    { name: "merchant", kind: "name", labels: ["merchant", "store", "sold by"], fallback: "letterhead" },
    {
      name: "date",
      kind: "date",
      labels: ["date", "transaction date", "purchase date"],
      fallback: "first-date",
    },
    { name: "total", kind: "amount", labels: [...TOTAL, "total paid", "amount paid"] },
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
        "p o #",
        "purchase order no",
        "purchase order number",
        "purchase order #",
        "order no",
        "order number",
      ],
    },
    { name: "date", kind: "date", labels: ["po date", "order date", "issued", "date"] },
    {
      name: "buyer",
      kind: "name",
      labels: ["buyer", "ship to", "ordered by", "deliver to", "bill to", "purchaser"],
      fallback: "letterhead",
    },
    { name: "vendor", kind: "name", labels: ["vendor", "supplier", "seller", "to"] },
    { name: "total", kind: "amount", labels: TOTAL },
    { name: "currency", kind: "currency", labels: CURRENCY },
  ],
  contract: [
    { name: "parties", kind: "parties", labels: [], fallback: "between" },
    {
      name: "effective_date",
      kind: "date",
      labels: ["effective date", "effective as of", "commencement date", "start date", "dated"],
      fallback: "first-date",
    },
    {
      name: "term",
      kind: "term",
      labels: ["term", "contract term", "initial term", "duration"],
      fallback: "term-sentence",
    },
  ],
  letter: [
    { name: "sender", kind: "name", labels: ["from", "sender"], fallback: "letterhead" },
    { name: "recipient", kind: "name", labels: ["dear", "attn", "attention", "recipient"], inline: true },
    { name: "date", kind: "date", labels: ["date", "dated"], fallback: "first-date" },
    { name: "subject", kind: "text", labels: ["subject", "subj", "re", "regarding"] },
  ],
};
