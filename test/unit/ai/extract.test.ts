import { describe, expect, it } from "vitest";
import { extractFields } from "../../../workers/ai/extract/extract.ts";
import { linesOf } from "../../../workers/ai/extract/lines.ts";
import { layoutOf, type LineSpec } from "../../support/layout-builder.ts";

const invoiceLines = (numberLine: LineSpec[], totalConfidence = 1): LineSpec[] => [
  "Acme Corp",
  "12 Main Street, Springfield",
  [{ text: "INVOICE", x: 0.7 }],
  ...numberLine,
  [{ text: "Invoice Date:" }, { text: "March 4, 2026", x: 0.3 }],
  [{ text: "Due Date:" }, { text: "04.04.2026", x: 0.3 }],
  "Bill To: Globex Ltd",
  [{ text: "Description" }, { text: "Amount", x: 0.8 }],
  [{ text: "Consulting" }, { text: "1,000.00", x: 0.8 }],
  [
    { text: "Subtotal", x: 0.55 },
    { text: "1,000.00", x: 0.8 },
  ],
  [
    { text: "Tax", x: 0.55 },
    { text: "234.56", x: 0.8 },
  ],
  [
    { text: "Total", x: 0.55 },
    { text: "EUR 1,234.56", x: 0.8, confidence: totalConfidence },
  ],
];

describe("extract on page layouts", () => {
  it.each([
    ["Invoice No.", "right"],
    ["Invoice #", "right"],
    ["Invoice Number:", "right"],
    ["INV. NO:", "right"],
  ])("finds the invoice number after the label variant %s (%s)", (label) => {
    const layout = layoutOf(invoiceLines([[{ text: label }, { text: "INV-2026-0042", x: 0.3 }]]));
    const out = extractFields("invoice", [layout]);
    expect(out.fields.invoice_number).toEqual({ value: "INV-2026-0042", confidence: 1 });
  });

  it("reads a value written below its label, at a lower confidence than one beside it", () => {
    const below = layoutOf(invoiceLines([[{ text: "Invoice No.", x: 0.6 }], [{ text: "INV-7", x: 0.6 }]]));
    const out = extractFields("invoice", [below]);
    expect(out.fields.invoice_number!.value).toBe("INV-7");
    expect(out.fields.invoice_number!.confidence).toBeLessThan(1);
    expect(out.fields.invoice_number!.confidence).toBeGreaterThan(0.8);
  });

  it("extracts every invoice field, normalized, and takes the grand total over the subtotal", () => {
    const layout = layoutOf(invoiceLines([[{ text: "Invoice No:" }, { text: "A-17", x: 0.3 }]]));
    const out = extractFields("invoice", [layout]);
    expect(Object.fromEntries(Object.entries(out.fields).map(([k, v]) => [k, v.value]))).toEqual({
      invoice_number: "A-17",
      invoice_date: "2026-03-04",
      due_date: "2026-04-04",
      vendor: "Acme Corp",
      total: "1234.56",
      currency: "EUR",
    });
    expect(out.confidence).toBe(Math.min(...Object.values(out.fields).map((f) => f.confidence)));
  });

  it("does not take the due date for the invoice date (the longer label claims its words)", () => {
    const layout = layoutOf(["Acme Corp", [{ text: "Due Date:" }, { text: "2026-05-01", x: 0.3 }]]);
    const out = extractFields("invoice", [layout]);
    expect(out.fields.due_date!.value).toBe("2026-05-01");
    expect(out.fields.invoice_date).toEqual({ value: null, confidence: 0 });
    expect(out.confidence).toBe(0);
  });

  it("low-confidence OCR words lower the field's confidence", () => {
    const clean = extractFields("invoice", [
      layoutOf(invoiceLines([[{ text: "Invoice No." }, { text: "A-1", x: 0.3 }]])),
    ]);
    const blurred = extractFields("invoice", [
      layoutOf(invoiceLines([[{ text: "Invoice No." }, { text: "A-1", x: 0.3 }]], 0.55), { source: "ocr" }),
    ]);
    expect(blurred.fields.total!.value).toBe("1234.56");
    expect(blurred.fields.total!.confidence).toBeLessThan(clean.fields.total!.confidence * 0.6);
    expect(blurred.confidence).toBeLessThan(clean.confidence);
  });

  it("finds an OCR-misspelled label and repairs digit look-alikes, both at a cost in confidence", () => {
    const layout = layoutOf(invoiceLines([[{ text: "lnvoice No." }, { text: "INV-2O26-0042", x: 0.3 }]]), {
      source: "ocr",
    });
    const out = extractFields("invoice", [layout]);
    expect(out.fields.invoice_number!.value).toBe("INV-2026-0042");
    expect(out.fields.invoice_number!.confidence).toBeCloseTo(0.85 * 0.8, 3);
  });

  it("stops a value at a column gap: a second label on the same line is not part of the value", () => {
    const layout = layoutOf([
      "Globex Ltd",
      [
        { text: "PO Number:" },
        { text: "PO-991", x: 0.25 },
        { text: "Date:", x: 0.55 },
        { text: "2026-01-31", x: 0.65 },
      ],
      [{ text: "Buyer:" }, { text: "Initech GmbH", x: 0.25 }],
      [{ text: "Vendor:" }, { text: "Umbrella Inc", x: 0.25 }],
      [
        { text: "Total", x: 0.55 },
        { text: "$ 99.00", x: 0.8 },
      ],
    ]);
    const out = extractFields("purchase_order", [layout]);
    expect(Object.fromEntries(Object.entries(out.fields).map(([k, v]) => [k, v.value]))).toEqual({
      po_number: "PO-991",
      date: "2026-01-31",
      buyer: "Initech GmbH",
      vendor: "Umbrella Inc",
      total: "99.00",
      currency: "USD",
    });
  });

  it("reads fields across pages and gives an `other` document no fields", () => {
    const p1 = layoutOf(["Acme Corp", [{ text: "Invoice No." }, { text: "X-1", x: 0.3 }]], { page: 1 });
    const p2 = layoutOf(
      [
        [
          { text: "Total", x: 0.55 },
          { text: "10.00 USD", x: 0.8 },
        ],
      ],
      { page: 2 },
    );
    const out = extractFields("invoice", [p2, p1]);
    expect(out.fields.invoice_number!.value).toBe("X-1");
    expect(out.fields.total!.value).toBe("10.00");
    expect(extractFields("other", [p1])).toEqual({ type: "other", fields: {}, confidence: 0 });
  });
});

describe("lines", () => {
  it("groups OCR words with jittered boxes into one line and orders words left to right", () => {
    const w = (text: string, x0: number, y0: number) => ({
      text,
      x0,
      y0,
      x1: x0 + 0.05,
      y1: y0 + 0.014,
      confidence: 0.9,
    });
    const layout = {
      ...layoutOf([]),
      words: [w("b", 0.3, 0.102), w("a", 0.1, 0.1), w("c", 0.5, 0.098), w("next", 0.1, 0.13)],
    };
    const lines = linesOf(layout);
    expect(lines.map((l) => l.words.map((x) => x.text).join(" "))).toEqual(["a b c", "next"]);
  });
});
