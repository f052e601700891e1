/**
 * ULID-style job ids: 10 Crockford base32 characters of the creation time (ms) followed by 16 of
 * randomness (80 bits). Lexicographic order follows creation time. Time and randomness are parameters.
 */
import { randomBytes } from "node:crypto";
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
