/**
 * ULID-style job ids: 10 Crockford base32 characters of the creation time (ms) followed by 16 of
 * randomness (80 bits). Lexicographic order follows creation time. Time and randomness are parameters.
 */
import { createHash, randomBytes } from "node:crypto";
import type { JobId } from "./job-doc.ts";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MAX_TIME = 2 ** 48 - 1;

export function newJobId(now: number, random: (n: number) => Uint8Array = randomBytes): JobId {
  if (!Number.isInteger(now) || now < 0 || now > MAX_TIME) throw new RangeError(`invalid time ${now}`);
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const bytes = random(10);
  if (bytes.length < 10) throw new RangeError("random source returned fewer than 10 bytes");
  // 80 bits → 16 characters of 5 bits each.
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  let rand = "";
  for (let i = 0; i < 16; i++) {
    rand = CROCKFORD.charAt(Number(bits & 31n)) + rand;
    bits >>= 5n;
  }
  return time + rand;
}

/** Characters of a keyed id's tail: 80 bits of SHA-256 over (tenant, idempotency key). */
const KEYED_TAIL = 16;

function keyedTail(tenant: string, idempotencyKey: string): string {
  const digest = createHash("sha256").update(`${tenant}\n${idempotencyKey}`).digest();
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(digest[i] ?? 0);
  let tail = "";
  for (let i = 0; i < KEYED_TAIL; i++) {
    tail = CROCKFORD.charAt(Number(bits & 31n)) + tail;
    bits >>= 5n;
  }
  return tail;
}

/**
 * A job id chosen before the job exists (the API's submissions, ADR 0019): the creation time like
 * `newJobId`, then 80 bits of SHA-256 over the tenant and the idempotency key instead of randomness.
 * An intake message may carry such an id (`jobId`); the release takes it only when `isKeyedJobId`
 * holds for the queue's tenant and the message's key, so an upstream can only ever name an id that
 * belongs to its own tenant and key (finding another tenant's id would take a 2^80 preimage search).
 */
export function keyedJobId(tenant: string, idempotencyKey: string, now: number): JobId {
  return newJobId(now).slice(0, 10) + keyedTail(tenant, idempotencyKey);
}

/** True when `jobId` is a `keyedJobId` of this tenant and idempotency key (any creation time). */
export function isKeyedJobId(jobId: string, tenant: string, idempotencyKey: string): boolean {
  return (
    jobId.length === 10 + KEYED_TAIL &&
    /^[0-9A-HJKMNP-TV-Z]{10}$/.test(jobId.slice(0, 10)) &&
    jobId.slice(10) === keyedTail(tenant, idempotencyKey)
  );
}
