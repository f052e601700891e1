import { parseAmount, parseCurrency, parseDate, repairDigits, type Normalized } from "./normalize.ts";
import type { FieldKind } from "./fields.ts";

/**
 * A candidate's text read as a value of a field kind: validated and normalized, or undefined when
 * the text is not such a value (a date field whose neighbour is not a date). `quality` is 1 for a
 * value that parsed as written, lower for one that needed OCR repair or that no rule can check
 * (free text). Pure.
 */
export interface ReadValue {
  value: string;
  quality: number;
}

const cleanText = (s: string): string =>
  s.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.)]+$/gu, "").replace(/\s+/g, " ");

/** OCR misreadings of company-form suffixes (`pic` for `plc`, `Ltd` as `Lid`), fixed at the end of a name. */
const SUFFIXES: Readonly<Record<string, string>> = {
  pic: "plc",
  plo: "plc",
  lid: "Ltd",
  itd: "Ltd",
  lte: "Ltd",
  gmbl: "GmbH",
  llo: "LLC",
  lc: "LLC",
};

function fixSuffix(name: string): { value: string; fixed: boolean } {
  const m = /^(.*\s)(\S+)$/.exec(name);
  const repl = m ? SUFFIXES[m[2]!] : undefined;
  return m && repl ? { value: `${m[1]}${repl}`, fixed: true } : { value: name, fixed: false };
}

const ok = (n: Normalized | undefined): ReadValue | undefined =>
  n === undefined ? undefined : { value: n.value, quality: n.repaired ? 0.8 : 1 };

const TERM =
  /\b(\d{1,3}|one|two|three|four|five|six|twelve|twenty[- ]four|thirty[- ]six)\s*(day|week|month|year)s?\b/i;

export function readValue(kind: FieldKind, text: string): ReadValue | undefined {
  switch (kind) {
    case "date":
      return ok(parseDate(text));
    case "amount":
      return ok(parseAmount(text));
    case "currency":
      return ok(parseCurrency(text));
    case "id": {
      const first = cleanText(text)
        .replace(/^(no|nr|number)[.:]?\s*/i, "")
        .split(" ")[0];
      if (!first || !/[0-9OoIl]/.test(first) || first.length < 2) return undefined;
      const fixed = repairDigitsInId(first);
      if (!/\d/.test(fixed.value)) return undefined;
      return { value: fixed.value, quality: fixed.repaired ? 0.8 : 1 };
    }
    case "term": {
      const { value: t, repaired } = repairDigits(text);
      const m = TERM.exec(t);
      if (!m) return undefined;
      return { value: cleanText(m[0]), quality: repaired ? 0.8 : 1 };
    }
    case "name": {
      const v = fixSuffix(cleanText(text));
      if (!/[A-Za-z]{2}/.test(v.value)) return undefined;
      return { value: v.value, quality: v.fixed ? 0.8 : 0.95 };
    }
    case "text":
    case "parties": {
      const v = cleanText(text);
      if (!/[A-Za-z]{2}/.test(v)) return undefined;
      return { value: v, quality: 0.95 };
    }
  }
}

/** Digit look-alikes repaired in the segments of an id that are mostly digits (`INV-2O26` → `INV-2026`). */
function repairDigitsInId(id: string): Normalized {
  const parts = id.split(/([-/_.])/);
  let repaired = false;
  const fixed = parts.map((p) => {
    const digits = p.replace(/[^0-9]/g, "").length;
    if (digits === 0 || digits < p.length / 2) return p;
    const r = repairDigits(p);
    repaired ||= r.repaired;
    return r.value;
  });
  return { value: fixed.join(""), repaired };
}
