import { z } from "zod";
import type { Rate } from "../quota/schema.ts";

/**
 * A pure token bucket with injected time. One token = one release. The bucket is a plain value
 * (`{ tokens, at }`) so it serializes with the rest of the scheduler state; every function returns a
 * new bucket. Time going backwards (clock skew between schedulers) counts as no time passing.
 */
export const TokenBucketSchema = z.object({
  /** Tokens at time `at` (0 ≤ tokens ≤ burst). */
  tokens: z.number().min(0),
  /** Epoch ms of the last refill. */
  at: z.number(),
});
export type TokenBucket = z.infer<typeof TokenBucketSchema>;

/** Tolerance for floating-point refill arithmetic: 0.9999999999 tokens is a token. */
const EPSILON = 1e-9;

/** A bucket for a tenant seen for the first time: full. */
export function fullBucket(rate: Rate, now: number): TokenBucket {
  return { tokens: rate.burst, at: now };
}

/** The bucket at `now`, refilled at the rate's pace and clamped to its (possibly new, smaller) burst. */
export function refill(bucket: TokenBucket, rate: Rate, now: number): TokenBucket {
  const elapsedMs = Math.max(0, now - bucket.at);
  const tokens = Math.min(rate.burst, bucket.tokens + (elapsedMs * rate.perSecond) / 1000);
  return { tokens, at: Math.max(now, bucket.at) };
}

export function hasToken(bucket: TokenBucket): boolean {
  return bucket.tokens >= 1 - EPSILON;
}

/** Takes one token; the caller checks `hasToken` first. */
export function take(bucket: TokenBucket): TokenBucket {
  return { tokens: Math.max(0, bucket.tokens - 1), at: bucket.at };
}

export function isFull(bucket: TokenBucket, rate: Rate): boolean {
  return bucket.tokens >= rate.burst - EPSILON;
}

/** Epoch ms (rounded up to a whole ms) when the bucket will next hold a token. */
export function nextTokenAt(bucket: TokenBucket, rate: Rate): number {
  if (hasToken(bucket)) return bucket.at;
  return Math.ceil(bucket.at + ((1 - bucket.tokens) * 1000) / rate.perSecond);
}
