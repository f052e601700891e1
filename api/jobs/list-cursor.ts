/**
 * List cursors: a position in a tenant's jobs, newest first — the last job shown, `(createdAt, _id)`
 * — sealed with an HMAC over the tenant and the position. The cursor selects nothing by itself: the
 * tenant filter always comes from the token. A cursor that was changed, cut, made with another key or
 * for another tenant does not verify and is refused with `invalid_cursor`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { JobIdSchema } from "../../shared/jobs/job-doc.ts";
import { ApiError } from "../errors.ts";

export interface ListPosition {
  readonly createdAt: number;
  readonly jobId: string;
}

const PositionSchema = z.strictObject({ c: z.int().nonnegative(), i: JobIdSchema });

const mac = (secret: string, tenant: string, payload: string) =>
  createHmac("sha256", secret).update(`${tenant}\n${payload}`).digest().subarray(0, 16);

export function encodeCursor(secret: string, tenant: string, position: ListPosition): string {
  const payload = Buffer.from(JSON.stringify({ c: position.createdAt, i: position.jobId })).toString(
    "base64url",
  );
  return `${payload}.${mac(secret, tenant, payload).toString("base64url")}`;
}

export function decodeCursor(secret: string, tenant: string, cursor: string): ListPosition {
  const invalid = new ApiError(400, "invalid_cursor", "the cursor is not one this API gave you");
  const [payload, sig, ...rest] = cursor.split(".");
  if (payload === undefined || sig === undefined || rest.length > 0 || cursor.length > 512) throw invalid;
  const expected = mac(secret, tenant, payload);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  const p = PositionSchema.safeParse(raw);
  if (!p.success) throw invalid;
  return { createdAt: p.data.c, jobId: p.data.i };
}
