/**
 * The per-tenant request rate at the API's edge: one token bucket per tenant (the scheduler's pure
 * bucket arithmetic), sized by the tenant document's `api` section or the configured default; a
 * request takes one token. Over it: the seconds until the next token (`Retry-After`, an integer ≥ 1).
 * A bucket that has refilled completely carries no information and is dropped now and then, so the
 * map holds only recently active tenants.
 */
import {
  fullBucket,
  hasToken,
  isFull,
  nextTokenAt,
  refill,
  take,
  type TokenBucket,
} from "../../scheduler/fairshare/token-bucket.ts";
import type { Rate } from "../../scheduler/quota/schema.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

const SWEEP_EVERY = 10_000;

export class EdgeRateLimiter {
  readonly #buckets = new Map<TenantId, { bucket: TokenBucket; rate: Rate }>();
  #takes = 0;

  take(tenant: TenantId, rate: Rate, now: number): RateDecision {
    const held = this.#buckets.get(tenant);
    let bucket = held === undefined ? fullBucket(rate, now) : refill(held.bucket, rate, now);
    if (++this.#takes % SWEEP_EVERY === 0) this.#sweep(now);
    if (!hasToken(bucket)) {
      this.#buckets.set(tenant, { bucket, rate });
      const waitMs = nextTokenAt(bucket, rate) - now;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    bucket = take(bucket);
    this.#buckets.set(tenant, { bucket, rate });
    return { ok: true };
  }

  /** Tenants with a bucket in memory (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number): void {
    for (const [tenant, held] of this.#buckets) {
      if (isFull(refill(held.bucket, held.rate, now), held.rate)) this.#buckets.delete(tenant);
    }
  }
}
