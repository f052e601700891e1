/**
 * Pure helpers for tenant documents as they come out of MongoDB, before the quota schema sees them:
 * reading `updatedAt` whatever type the writer used, normalizing it for the schema, and hashing a
 * document so an unchanged one is not re-applied (or re-logged) on every poll.
 */
import { createHash } from "node:crypto";

/**
 * `updatedAt` as epoch ms. Operators write it as a BSON date (`$currentDate`, `new Date()`), as epoch
 * ms, or as an ISO-8601 string; anything else is `undefined`.
 */
export function updatedAtMs(doc: unknown): number | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  const value = (doc as Record<string, unknown>)["updatedAt"];
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * The document the quota schema should validate: an epoch-ms `updatedAt` becomes a Date (the schema
 * accepts a Date or an ISO string only). Everything else is passed through untouched, so the
 * schema still reports every other problem with its path.
 */
export function normalizeQuotaDoc(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return doc;
  const record = doc as Record<string, unknown>;
  const value = record["updatedAt"];
  if (typeof value === "number" && Number.isFinite(value)) return { ...record, updatedAt: new Date(value) };
  return doc;
}

/** A stable identifier of a stored document for logs and bookkeeping: its `_id` as a string. */
export function docKey(doc: unknown): string {
  if (typeof doc !== "object" || doc === null) return String(doc);
  const id = (doc as Record<string, unknown>)["_id"];
  return id === undefined ? "(no _id)" : canonical(id);
}

/** A content hash that ignores key order: two reads of an unchanged document hash the same. */
export function docHash(doc: unknown): string {
  return createHash("sha1").update(canonical(doc)).digest("base64url");
}

/** Deterministic JSON-like text: sorted keys, dates as ISO, ObjectIds (and similar) by their hex. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return `D${Number.isNaN(value.getTime()) ? "NaN" : value.toISOString()}`;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : `N${String(value)}`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const hex = (value as { toHexString?: unknown }).toHexString;
    if (typeof hex === "function") return `O${String(hex.call(value))}`;
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(String(value));
}
