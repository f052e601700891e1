/**
 * The corpus vocabulary shared by the generator, its truth files and the readers (contract 4 of
 * issue 11): document types, kinds, scan strengths and the field names of each type.
 */
import { z } from "zod";
import type { PageSpec } from "./page-model.ts";

export const DOC_TYPES = ["invoice", "receipt", "contract", "letter", "purchase_order"] as const;
export type DocType = (typeof DOC_TYPES)[number];

export const DOC_KINDS = ["text-pdf", "image-pdf", "scan"] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export const STRENGTHS = ["mild", "harsh"] as const;
export type Strength = (typeof STRENGTHS)[number];

/** Field names per type; values in truth files are strings (dates YYYY-MM-DD, totals "1234.56"). */
export const FIELD_NAMES = {
  invoice: ["invoice_number", "invoice_date", "due_date", "vendor", "total", "currency"],
  receipt: ["merchant", "date", "total", "currency"],
  purchase_order: ["po_number", "date", "buyer", "vendor", "total", "currency"],
  contract: ["parties", "effective_date", "term"],
  letter: ["sender", "recipient", "date", "subject"],
} as const satisfies Record<DocType, readonly string[]>;

export type Fields = Record<string, string>;

export const LineItemTruthSchema = z.object({
  description: z.string(),
  quantity: z.number().int(),
  unit_price: z.string(),
  amount: z.string(),
});

/** `<id>.truth.json`. `shown` gives, per field, the literal strings printed on the page. */
export const TruthSchema = z.object({
  id: z.string(),
  type: z.enum(DOC_TYPES),
  kind: z.enum(DOC_KINDS),
  strength: z.enum(STRENGTHS).optional(),
  file: z.string(),
  mime: z.string(),
  template: z.string(),
  pages: z.number().int().positive(),
  text: z.array(z.string()),
  fields: z.record(z.string(), z.string()),
  shown: z.record(z.string(), z.array(z.string())),
  line_items: z.array(LineItemTruthSchema).optional(),
  seed: z.string(),
});
export type Truth = z.infer<typeof TruthSchema>;
export type LineItemTruth = z.infer<typeof LineItemTruthSchema>;

/** A document as templates compose it, before any rendering. */
export interface ComposedDocument {
  type: DocType;
  template: string;
  pages: PageSpec[];
  fields: Fields;
  shown: Record<string, string[]>;
  lineItems?: LineItemTruth[];
}

export interface ComposeOptions {
  /** Largest number of pages the document may take (scans are single images: 1). */
  maxPages: number;
}
