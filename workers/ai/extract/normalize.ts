/**
 * Validation and normalization of field values read off a page: dates to ISO `YYYY-MM-DD` from the
 * usual written forms, amounts to `1234.56` (either decimal convention), currencies to ISO codes from
 * codes or symbols. OCR look-alikes inside numbers (`O`→0, `l`/`I`→1, `S`→5, `B`→8) are repaired, and
 * a repaired value says so (`repaired: true`), which lowers its field's confidence. Pure.
 */

export interface Normalized {
  value: string;
  /** True when OCR look-alike characters had to be replaced to parse the value. */
  repaired: boolean;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};

/** Replaces OCR look-alikes of digits inside tokens that are otherwise numeric. */
export function repairDigits(text: string): Normalized {
  const fixed = text.replace(/\S+/g, (token) => {
    const m = /^([^0-9A-Za-z|]*)([0-9OoDlIi|SsBZz.,/\-:]+)([^0-9A-Za-z|]*)$/.exec(token);
    if (!m) return token;
    const core = m[2]!;
    const digits = core.replace(/[^0-9]/g, "").length;
    const letters = core.replace(/[0-9.,/\-:]/g, "").length;
    if (digits === 0 || letters === 0 || letters > digits) return token;
    const repaired = core
      .replace(/[OoD]/g, "0")
      .replace(/[lIi|]/g, "1")
      .replace(/[Ss]/g, "5")
      .replace(/B/g, "8")
      .replace(/[Zz]/g, "2");
    return `${m[1]}${repaired}${m[3]}`;
  });
  return { value: fixed, repaired: fixed !== text };
}

function iso(y: number, m: number, d: number): string | undefined {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return undefined;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

const year = (y: string): number => (y.length === 2 ? 2000 + Number(y) : Number(y));

/**
 * A date in one of: `2026-03-04`, `2026/03/04`, `04.03.2026` (day first), `03/04/2026` (month first
 * unless the first number is over 12), `4 March 2026`, `March 4, 2026`, `Mar 4 2026`, `4-Mar-2026`.
 * The first date found in `text` wins.
 */
export function parseDate(text: string): Normalized | undefined {
  const { value: t, repaired } = repairDigits(text);
  const found = findDate(t);
  return found === undefined ? undefined : { value: found, repaired };
}

function findDate(t: string): string | undefined {
  let m = /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b/.exec(t);
  if (m) return iso(year(m[3]!), Number(m[2]), Number(m[1]));
  m = /\b(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})\b/.exec(t);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return a > 12 ? iso(year(m[3]!), b, a) : iso(year(m[3]!), a, b);
  }
  m = /\b(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{4})\b/.exec(t);
  if (m && MONTHS[m[2]!.toLowerCase()]) return iso(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, Number(m[1]));
  m = /\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b/.exec(t);
  if (m && MONTHS[m[1]!.toLowerCase()]) return iso(Number(m[3]), MONTHS[m[1]!.toLowerCase()]!, Number(m[2]));
  return undefined;
}

const SYMBOLS: Readonly<Record<string, string>> = {
  "€": "EUR",
  $: "USD",
  "£": "GBP",
  "¥": "JPY",
  "₹": "INR",
};
export const CURRENCY_CODES = [
  "EUR",
  "USD",
  "GBP",
  "CHF",
  "JPY",
  "CAD",
  "AUD",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "INR",
] as const;

/** An ISO currency code or a currency symbol in `text`. */
export function parseCurrency(text: string): Normalized | undefined {
  const code = new RegExp(`(?:^|[^A-Za-z])(${CURRENCY_CODES.join("|")})(?![A-Za-z])`).exec(
    text.toUpperCase(),
  );
  if (code) return { value: code[1]!, repaired: false };
  for (const [sym, c] of Object.entries(SYMBOLS))
    if (text.includes(sym)) return { value: c, repaired: false };
  return undefined;
}

/**
 * An amount as `1234.56`: `1,234.56`, `1.234,56`, `1 234,56`, `1234.5`, `$1,234.56`, `1234.56 EUR`.
 * The last separator followed by one or two digits is the decimal point. The last amount in `text` wins
 * (a total line may hold a label with a number in it).
 */
export function parseAmount(text: string): Normalized | undefined {
  const { value: t, repaired } = repairDigits(text);
  const runs = [...t.matchAll(/-?\d[\d.,' ]*\d|\d/g)].map((m) => m[0].trim());
  for (let i = runs.length - 1; i >= 0; i--) {
    const n = amountOf(runs[i]!);
    if (n !== undefined) return { value: n, repaired };
  }
  return undefined;
}

function amountOf(run: string): string | undefined {
  const compact = run.replace(/[' ]/g, "");
  const dec = /^(-?[\d.,]*?)[.,](\d{1,2})$/.exec(compact);
  let whole: string;
  let cents: string;
  if (dec) {
    whole = dec[1]!.replace(/[.,]/g, "");
    cents = dec[2]!.padEnd(2, "0");
  } else {
    if (!/^-?\d{1,3}([.,]\d{3})*$|^-?\d+$/.test(compact)) return undefined;
    whole = compact.replace(/[.,]/g, "");
    cents = "00";
  }
  if (!/^-?\d+$/.test(whole === "" ? "0" : whole)) return undefined;
  const n = Number(`${whole === "" || whole === "-" ? `${whole}0` : whole}.${cents}`);
  return Number.isFinite(n) ? n.toFixed(2) : undefined;
}
