/**
 * Random but plausible business content drawn from a seeded Rng: parties with addresses, dates in
 * several display styles, money in integer cents (so line items always add up exactly).
 */
import type { Rng } from "./prng.ts";
import {
  COMPANY_STEMS,
  COMPANY_SUFFIXES_BY_REGION,
  COMPANY_TRADES,
  EU_CITIES,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  LINE_ITEMS,
  STREET_NAMES,
  UK_CITIES,
  UK_STREET_TYPES,
  US_CITIES,
  US_STREET_TYPES,
} from "./vocab.ts";

export type Currency = "USD" | "EUR" | "GBP";
export const CURRENCIES: readonly Currency[] = ["USD", "EUR", "GBP"];
export type Region = "us" | "uk" | "eu";
export const REGION_OF: Record<Currency, Region> = { USD: "us", EUR: "eu", GBP: "uk" };
export const SYMBOL_OF: Record<Currency, string> = { USD: "$", EUR: "\u20ac", GBP: "\u00a3" };

export interface Party {
  name: string;
  address: string[];
  email: string;
  phone: string;
}

export interface Person {
  first: string;
  last: string;
  full: string;
  title: string;
}

export function person(rng: Rng): Person {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return { first, last, full: `${first} ${last}`, title: rng.pick(JOB_TITLES) };
}

export function address(rng: Rng, region: Region): string[] {
  const street = rng.pick(STREET_NAMES);
  if (region === "us") {
    const [city, state] = rng.pick(US_CITIES);
    const line1 = `${rng.int(10, 9899)} ${street} ${rng.pick(US_STREET_TYPES)}`;
    const extra = rng.chance(0.4) ? [`Suite ${rng.int(1, 9)}${rng.int(0, 9)}0`] : [];
    return [line1, ...extra, `${city}, ${state} ${rng.int(10000, 99950)}`];
  }
  if (region === "uk") {
    const [city, area] = rng.pick(UK_CITIES);
    const letters = "ABDEFGHJLNPQRSTUWXYZ";
    const post = `${area}${rng.int(1, 19)} ${rng.int(1, 9)}${letters[rng.int(0, letters.length - 1)]}${letters[rng.int(0, letters.length - 1)]}`;
    return [`${rng.int(1, 240)} ${street} ${rng.pick(UK_STREET_TYPES)}`, city, post, "United Kingdom"];
  }
  const [city, country, kind] = rng.pick(EU_CITIES);
  const streetLine =
    kind === "Rue" || kind === "Via"
      ? `${rng.int(1, 180)} ${kind} ${street}`
      : `${street}${kind.toLowerCase()} ${rng.int(1, 180)}`;
  return [streetLine, `${rng.int(1000, 99899)} ${city}`, country];
}

export function companyName(rng: Rng, region: Region): string {
  return `${rng.pick(COMPANY_STEMS)} ${rng.pick(COMPANY_TRADES)} ${rng.pick(COMPANY_SUFFIXES_BY_REGION[region])}`;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z ]/g, "")
      .split(" ")
      .filter(Boolean)
      .slice(0, 2)
      .join("") || "mail"
  );
}

export function phone(rng: Rng, region: Region): string {
  if (region === "us") return `(${rng.int(201, 989)}) ${rng.int(200, 989)}-${rng.int(1000, 9999)}`;
  if (region === "uk") return `+44 ${rng.int(1200, 1999)} ${rng.int(100000, 999999)}`;
  return `+${rng.pick(["49", "31", "33", "32", "43", "39"])} ${rng.int(20, 89)} ${rng.int(1000000, 9999999)}`;
}

export function company(rng: Rng, region: Region, name = companyName(rng, region)): Party {
  const tld = region === "us" ? "com" : region === "uk" ? "co.uk" : "eu";
  return {
    name,
    address: address(rng, region),
    email: `accounts@${slug(name)}.${tld}`,
    phone: phone(rng, region),
  };
}

// ---- dates -----------------------------------------------------------------------------------

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

export interface DateValue {
  y: number;
  m: number; // 1..12
  d: number;
}

export function iso(date: DateValue): string {
  return `${date.y}-${String(date.m).padStart(2, "0")}-${String(date.d).padStart(2, "0")}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function randomDate(rng: Rng, fromYear = 2021, toYear = 2026): DateValue {
  const y = rng.int(fromYear, toYear);
  const m = rng.int(1, 12);
  return { y, m, d: rng.int(1, daysInMonth(y, m)) };
}

export function addDays(date: DateValue, days: number): DateValue {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Unambiguous display styles only (no 03/04 that could be either order). */
export type DateStyle = "iso" | "long" | "day-long" | "day-short" | "short";
export const DATE_STYLES: readonly DateStyle[] = ["iso", "long", "day-long", "day-short", "short"];

export function formatDate(date: DateValue, style: DateStyle): string {
  const month = MONTHS[date.m - 1]!;
  switch (style) {
    case "iso":
      return iso(date);
    case "long":
      return `${month} ${date.d}, ${date.y}`;
    case "day-long":
      return `${date.d} ${month} ${date.y}`;
    case "day-short":
      return `${date.d} ${month.slice(0, 3)} ${date.y}`;
    case "short":
      return `${month.slice(0, 3)} ${date.d}, ${date.y}`;
  }
}

// ---- money -----------------------------------------------------------------------------------

/** "1234.56" from cents: the truth format of every total. */
export function plainAmount(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** "1,234.56" or "1234.56". */
export function displayAmount(cents: number, grouped: boolean): string {
  const plain = plainAmount(cents);
  if (!grouped) return plain;
  const [int, frac] = plain.split(".") as [string, string];
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac}`;
}

export interface LineItem {
  description: string;
  quantity: number;
  unitCents: number;
  amountCents: number;
}

export interface Totals {
  items: LineItem[];
  subtotalCents: number;
  taxRate: number; // percent, 0 = no tax line
  taxCents: number;
  totalCents: number;
}

export function lineItems(
  rng: Rng,
  count: number,
  catalogue: readonly (readonly [string, number, number])[] = LINE_ITEMS,
  maxQuantity = 12,
): LineItem[] {
  return rng.sample(catalogue, count).map(([description, lo, hi]) => {
    const quantity = rng.chance(0.45) ? 1 : rng.int(1, maxQuantity);
    const unitCents = Math.round(rng.float(lo, hi) * 100);
    return { description, quantity, unitCents, amountCents: quantity * unitCents };
  });
}

export function totals(items: LineItem[], taxRate: number): Totals {
  const subtotalCents = items.reduce((s, i) => s + i.amountCents, 0);
  const taxCents = Math.round((subtotalCents * taxRate) / 100);
  return { items, subtotalCents, taxRate, taxCents, totalCents: subtotalCents + taxCents };
}

export const TAX_RATES: Record<Region, readonly number[]> = {
  us: [0, 5, 6.25, 7, 8.5],
  uk: [0, 20],
  eu: [0, 19, 20, 21],
};
