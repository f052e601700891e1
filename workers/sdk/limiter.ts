/**
 * `ctx.limiter`: outbound calls to external providers wait for their provider's fleet-wide limits
 * (`SLUICE_OUTBOUND_LIMITS`) and their tenant's limits (the provider's `perTenant` default, or the
 * tenant document's `outbound.<provider>`), enforced with `bottleneck`: concurrency, requests per
 * minute and tokens per minute (buckets of one minute's worth, refilled every second). A call over
 * a limit waits — heartbeating, so its Task's `HeartbeatSeconds` does not lapse — and is abandoned
 * when the step's signal aborts. A tenant waits on its own limits before it takes a place in the
 * provider's, so a flooding tenant queues behind itself.
 */
import Bottleneck from "bottleneck";
import {
  effectiveLimits,
  isUnlimited,
  type LimitValues,
  type OutboundLimits,
  type TenantOutbound,
} from "../../shared/limits/outbound-limits.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export interface ScheduleOptions {
  /** Tokens the call will use (an LLM's prompt + expected completion), counted against `tokensPerMinute`. */
  tokens?: number;
}

export interface OutboundLimiter {
  /** Runs `fn` once the provider's and the tenant's limits allow it; resolves with its result. */
  schedule<T>(provider: string, fn: () => Promise<T>, options?: ScheduleOptions): Promise<T>;
}

/** One set of limits as bottleneck limiters (absent when that dimension is unlimited). */
interface LimiterSet {
  readonly key: string;
  readonly requests: Bottleneck | undefined;
  readonly tokens: Bottleneck | undefined;
  readonly tokenCapacity: number;
  /** Whether `requests` has a per-minute bucket (a place given back is returned to it). */
  readonly requestBucket: boolean;
}

const REFILL_MS = 1000;

function bucket(perMinute: number): Bottleneck.ConstructorOptions {
  return {
    reservoir: perMinute,
    reservoirIncreaseAmount: perMinute / (60_000 / REFILL_MS),
    reservoirIncreaseInterval: REFILL_MS,
    reservoirIncreaseMaximum: perMinute,
  };
}

function limiterSet(v: LimitValues): LimiterSet {
  const requests =
    v.concurrency !== undefined || v.requestsPerMinute !== undefined
      ? new Bottleneck({
          maxConcurrent: v.concurrency ?? null,
          ...(v.requestsPerMinute !== undefined ? bucket(v.requestsPerMinute) : {}),
        })
      : undefined;
  const tokens = v.tokensPerMinute !== undefined ? new Bottleneck(bucket(v.tokensPerMinute)) : undefined;
  return {
    key: JSON.stringify(v),
    requests,
    tokens,
    tokenCapacity: v.tokensPerMinute ?? Infinity,
    requestBucket: v.requestsPerMinute !== undefined,
  };
}

export interface OutboundLimitsDeps {
  /** Fleet-wide limits per provider (`SLUICE_OUTBOUND_LIMITS`). */
  config: OutboundLimits;
  /** The tenant document's `outbound` section (cached read). */
  tenantOverrides: (tenant: TenantId) => Promise<TenantOutbound | undefined>;
}

/** What a step's limiter is bound to. */
export interface LimiterBinding {
  tenantId: TenantId;
  signal: AbortSignal;
  heartbeat: () => Promise<void>;
  /** How often a waiting call heartbeats. */
  heartbeatEveryMs: number;
}

/** The worker's outbound limits: one bottleneck set per provider and per (provider, tenant). */
export class OutboundLimitsRegistry {
  readonly #providers = new Map<string, LimiterSet>();
  readonly #tenants = new Map<string, LimiterSet>();

  constructor(private readonly deps: OutboundLimitsDeps) {}

  /** The limiter a step gets as `ctx.limiter`. */
  bind(binding: LimiterBinding): OutboundLimiter {
    return { schedule: (provider, fn, options) => this.schedule(binding, provider, fn, options) };
  }

  async schedule<T>(
    b: LimiterBinding,
    provider: string,
    fn: () => Promise<T>,
    options: ScheduleOptions = {},
  ): Promise<T> {
    b.signal.throwIfAborted();
    const limits = effectiveLimits(this.deps.config, provider, await this.deps.tenantOverrides(b.tenantId));
    const chain: LimiterSet[] = [];
    if (!isUnlimited(limits.tenant))
      chain.push(this.#set(this.#tenants, `${provider}\0${b.tenantId}`, limits.tenant));
    if (!isUnlimited(limits.provider)) chain.push(this.#set(this.#providers, provider, limits.provider));
    if (chain.length === 0) return fn();
    return waitThenRun(b, chain, Math.max(0, options.tokens ?? 0), fn);
  }

  #set(map: Map<string, LimiterSet>, id: string, v: LimitValues): LimiterSet {
    const key = JSON.stringify(v);
    const existing = map.get(id);
    if (existing?.key === key) return existing;
    // Changed limits (a tenant document edit): new calls use a new set; calls queued on the old one finish there.
    const set = limiterSet(v);
    map.set(id, set);
    return set;
  }
}

/** A limiter that limits nothing (a bare registry, tests). */
export const unlimited: OutboundLimiter = { schedule: (_provider, fn) => fn() };

/**
 * Waits through each set in order (tokens, then a request place), then runs `fn` while holding every
 * request place. Heartbeats while waiting; on abort stops waiting at once and gives back what it
 * took (a place is released, taken tokens are returned to the bucket).
 */
function waitThenRun<T>(
  b: LimiterBinding,
  chain: readonly LimiterSet[],
  tokens: number,
  fn: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let running = false;
    const beat = setInterval(() => {
      if (!running) b.heartbeat().catch(() => undefined);
    }, b.heartbeatEveryMs);
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(beat);
      b.signal.removeEventListener("abort", onAbort);
      f();
    };
    const onAbort = () => finish(() => reject(b.signal.reason));
    b.signal.addEventListener("abort", onAbort, { once: true });

    const run = async (i: number): Promise<T> => {
      const set = chain[i];
      if (set === undefined) {
        running = true;
        clearInterval(beat);
        return fn();
      }
      const weight = Math.min(tokens, set.tokenCapacity);
      if (set.tokens && weight > 0) {
        await set.tokens.schedule({ weight }, async () => {
          // Given back when the step gave up while this call waited (bottleneck cannot drop a queued job).
          if (settled) await set.tokens?.incrementReservoir(weight);
        });
        if (settled) throw b.signal.reason;
      }
      if (!set.requests) return run(i + 1);
      return set.requests.schedule(async () => {
        if (settled) {
          if (set.requestBucket) await set.requests?.incrementReservoir(1);
          throw b.signal.reason;
        }
        return run(i + 1);
      });
    };
    run(0).then(
      (v) => finish(() => resolve(v)),
      (err: unknown) => finish(() => reject(err)),
    );
  });
}
