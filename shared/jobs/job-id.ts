/**
 * ULID-style job ids: 10 Crockford base32 characters of the creation time (ms) followed by 16 of
 * randomness (80 bits). Lexicographic order follows creation time. Time and randomness are parameters.
 */
import { createHash, randomBytes } from "node:crypto";
import type { JobId } from "./job-doc.ts";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MAX_TIME = 2 ** 48 - 1;

/** The ten Crockford base32 characters of a creation time (ms), most significant first. */
export function timePrefix(now: number): string {
  if (!Number.isInteger(now) || now < 0 || now > MAX_TIME) throw new RangeError(`invalid time ${now}`);
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** 80 bits (the first ten bytes) as 16 Crockford base32 characters, most significant first. */
function base32Of80Bits(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let held = 0;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | (bytes[i] ?? 0);
    held += 8;
    while (held >= 5) {
      held -= 5;
      out += CROCKFORD.charAt((acc >> held) & 31);
    }
    acc &= (1 << held) - 1;
  }
  return out;
}

export function newJobId(now: number, random: (n: number) => Uint8Array = randomBytes): JobId {
  const time = timePrefix(now);
  const bytes = random(10);
  if (bytes.length < 10) throw new RangeError("random source returned fewer than 10 bytes");
  return time + base32Of80Bits(bytes);
}

/** Characters of a keyed id's tail: 80 bits of SHA-256 over (tenant, idempotency key). */
const KEYED_TAIL = 16;

function keyedTail(tenant: string, idempotencyKey: string): string {
  return base32Of80Bits(createHash("sha256").update(`${tenant}\n${idempotencyKey}`).digest());
}

/**
 * A job id chosen before the job exists (the API's submissions, ADR 0019): the creation time like
 * `newJobId`, then 80 bits of SHA-256 over the tenant and the idempotency key instead of randomness.
 * An intake message may carry such an id (`jobId`); the release takes it only when `isKeyedJobId`
 * holds for the queue's tenant and the message's key, so an upstream can only ever name an id that
 * belongs to its own tenant and key (finding another tenant's id would take a 2^80 preimage search).
 */
export function keyedJobId(tenant: string, idempotencyKey: string, now: number): JobId {
  return timePrefix(now) + keyedTail(tenant, idempotencyKey);
}

/** True when `jobId` is a `keyedJobId` of this tenant and idempotency key (any creation time). */
export function isKeyedJobId(jobId: string, tenant: string, idempotencyKey: string): boolean {
  return (
    jobId.length === 10 + KEYED_TAIL &&
    /^[0-9A-HJKMNP-TV-Z]{10}$/.test(jobId.slice(0, 10)) &&
    jobId.slice(10) === keyedTail(tenant, idempotencyKey)
  );
}
