import { describe, expect, it } from "vitest";
import { textWidth } from "../../../infra/corpus/fonts.ts";
import { composeDocument, DOC_TYPES, FIELD_NAMES, type DocType } from "../../../infra/corpus/index.ts";
import type { TextRun } from "../../../infra/corpus/page-model.ts";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** An independent reading of the date styles the corpus prints, back to YYYY-MM-DD. */
function parseShownDate(text: string): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) return text;
  m = /^([A-Za-z]+) (\d{1,2}), (\d{4})$/.exec(text);
  if (m) return `${m[3]}-${pad(MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1)}-${pad(Number(m[2]))}`;
  m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(text);
  if (m) return `${m[3]}-${pad(MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1)}-${pad(Number(m[1]))}`;
  throw new Error(`unparsed date ${text}`);
}

const flat = (s: string) => s.replace(/\s+/g, " ");

describe("composeDocument", { timeout: 60_000 }, () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = composeDocument("seed-1", { type: "invoice" });
    expect(composeDocument("seed-1", { type: "invoice" })).toEqual(a);
    expect(composeDocument("seed-2", { type: "invoice" }).fields).not.toEqual(a.fields);
  });

  it("picks every type from seeds when none is asked for", () => {
    const seen = new Set<DocType>();
    for (let i = 0; i < 40; i++) seen.add(composeDocument(`any-${i}`).type);
    expect([...seen].sort()).toEqual([...DOC_TYPES].sort());
  });

  for (const type of DOC_TYPES) {
    it(`${type}: every field of the contract is in the truth, printed on the page, and normalised`, () => {
      const templates = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const doc = composeDocument(`${type}-${i}`, { type });
        templates.add(doc.template);
        expect(Object.keys(doc.fields).sort()).toEqual([...FIELD_NAMES[type]].sort());
        const text = flat(doc.text.join("\n"));
        for (const name of FIELD_NAMES[type]) {
          const value = doc.fields[name]!;
          const shown = doc.shown[name]!;
          expect(shown.length, name).toBeGreaterThan(0);
          for (const s of shown) expect(text, `${doc.template} ${name}`).toContain(flat(s));
          if (name.endsWith("date")) {
            expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            expect(parseShownDate(shown[0]!)).toBe(value);
          } else if (name === "total") {
            expect(value).toMatch(/^\d+\.\d{2}$/);
            expect(shown[0]!.replace(/,/g, "")).toBe(value);
          } else if (name === "currency") expect(["USD", "EUR", "GBP"]).toContain(value);
          else if (name === "parties") expect(value).toBe(shown.join("; "));
          else expect(shown[0]).toBe(value);
        }
        if (doc.lineItems) {
          const cents = (s: string) => Math.round(Number(s) * 100);
          for (const li of doc.lineItems) expect(li.quantity * cents(li.unit_price)).toBe(cents(li.amount));
          const sum = doc.lineItems.reduce((s, li) => s + cents(li.amount), 0);
          const total = cents(doc.fields.total!);
          // the items add up to the total, or to the subtotal printed before a tax line
          if (sum !== total) expect(text).toMatch(/(Tax|VAT) \(/);
          expect(sum).toBeLessThanOrEqual(total);
        }
      }
      expect(templates.size, `${type} layouts seen`).toBeGreaterThanOrEqual(3);
    });
  }

  it("makes contracts of one to three pages, and only one page when asked for at most one", () => {
    const pages = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const doc = composeDocument(`contract-${i}`, { type: "contract" });
      pages.add(doc.pages.length);
      expect(doc.text).toHaveLength(doc.pages.length);
      expect(composeDocument(`contract-${i}`, { type: "contract", maxPages: 1 }).pages).toHaveLength(1);
    }
    expect([...pages].sort()).toEqual([1, 2, 3]);
  });

  it("lays out text runs inside the page, apart, on baselines that are equal or clearly apart", () => {
    for (const type of DOC_TYPES) {
      for (let i = 0; i < 20; i++) {
        const doc = composeDocument(`layout-${type}-${i}`, { type });
        for (const page of doc.pages) {
          const boxes = page.items
            .filter((it): it is TextRun => it.kind === "text")
            .map((r) => ({
              text: r.text,
              x0: r.x,
              x1: r.x + textWidth(r.text, r.size, r.weight),
              y0: r.y - r.size * 0.75,
              y1: r.y + r.size * 0.22,
            }));
          for (const b of boxes) {
            expect(b.x0, b.text).toBeGreaterThanOrEqual(10);
            expect(b.x1, b.text).toBeLessThanOrEqual(page.width - 10);
            expect(b.y0, b.text).toBeGreaterThanOrEqual(10);
            expect(b.y1, b.text).toBeLessThanOrEqual(page.height - 10);
          }
          // baselines are equal or clearly apart, so every reader groups the same lines
          const runs = page.items.filter((it): it is TextRun => it.kind === "text");
          for (const a of runs)
            for (const b of runs) {
              const d = Math.abs(a.y - b.y);
              if (d > 0)
                expect(d, `${doc.template}: "${a.text}" near "${b.text}"`).toBeGreaterThan(
                  0.3 * Math.max(a.size, b.size),
                );
            }
          for (const [m, a] of boxes.entries())
            for (const b of boxes.slice(m + 1)) {
              const overlap = a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
              expect(overlap, `${doc.template}: "${a.text}" over "${b.text}"`).toBe(false);
            }
        }
      }
    }
  });
});
