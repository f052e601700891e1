/**
 * The one payload reference model (ADR 0012). Data Sluice keeps for a job — its input and output, a
 * review's data, the execution state, a large step result — is either inline JSON or stored in S3
 * under the job's prefix and named by a `PayloadRef` `{ key, bytes }`. Every such reference is made
 * and read by the one `PayloadStore` (payload-store.ts) with one size limit.
 *
 * - In the job document a payload field is a `Payload`: `{ inline }` or `{ s3: PayloadRef }` (the
 *   wrapper keeps the two unambiguous: an inline value may itself look like `{ s3: ... }`). The
 *   execution state is the one payload split over two fields for its hot path (`execution` inline,
 *   `executionRef` a `PayloadRef`), see job-doc.ts.
 * - Inside the engine's data (a large step result), the reference travels in-band as
 *   `{ "$sluiceRef": PayloadRef }` (`refMarker`); only the keys the job document lists in
 *   `resultRefs` resolve (result-refs.ts), any other marker is tenant data.
 */
import { z } from "zod";

/** A stored payload: its S3 key (under `tenants/<tenantId>/`) and its size in bytes. */
export const PayloadRefSchema = z.strictObject({
  key: z.string().min(1).max(1024),
  bytes: z.int().nonnegative(),
});
export type PayloadRef = z.infer<typeof PayloadRefSchema>;

/** A payload field of the job document: inline JSON, or a reference to where it is stored. */
export const PayloadSchema = z.union([
  z.strictObject({ inline: z.json() }),
  z.strictObject({ s3: PayloadRefSchema }),
]);
export type Payload = z.infer<typeof PayloadSchema>;

/** The reference a payload holds, if it is stored rather than inline. */
export const refOf = (p: Payload | null | undefined): PayloadRef | null =>
  p != null && "s3" in p ? p.s3 : null;

/** The in-band marker of a stored step result inside engine data. */
export const REF_KEY = "$sluiceRef";

export type RefMarker = { [REF_KEY]: PayloadRef };

export const refMarker = (ref: PayloadRef): RefMarker => ({ [REF_KEY]: ref });

/** Whether `value` is exactly a marker `{ "$sluiceRef": { key, bytes } }` (trusted or not). */
export function isRefMarker(value: unknown): value is RefMarker {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== REF_KEY) return false;
  const ref = (value as Record<string, unknown>)[REF_KEY] as Partial<PayloadRef> | null;
  return typeof ref?.key === "string" && typeof ref.bytes === "number";
}
