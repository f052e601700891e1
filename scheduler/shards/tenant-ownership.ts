/**
 * Which tenants this scheduler replica owns (issue 13, ADR 0024). Each tenant's intake is owned by
 * exactly one replica at a time through a lease in `scheduler_leases` (`lease-store.ts`). An
 * ownership round (`sync`), run by the fair scheduler's tick at most every `renewMs` (and at once when
 * a tenant appears that the last round did not know):
 *
 * 1. writes this replica's heartbeat (with its backlogged weight, shown by `sluice fleet`);
 * 2. reads the replicas' heartbeats and every tenant lease; the live replicas (heartbeat unexpired,
 *    this one always) divide the tenants by rendezvous hashing with bounded loads (`assign.ts`); the
 *    heartbeats of replicas dead for longer than `deadReplicaRetentionMs` are deleted (until then
 *    operators see them as dead in `sluice fleet`);
 * 3. decides (`lease-plan.ts`, pure) what it lost, gives up, keeps and takes;
 * 4. hands the lost and given-up tenants to `lost` (the scheduler stops their lanes and returns their
 *    buffered messages) BEFORE it frees their leases, so the next owner finds the messages visible;
 * 5. frees the given-up leases, renews the kept ones (one update), takes the wanted free or expired ones.
 *
 * `owns(tenant)` is true only while the lease is held with more than `marginMs` left by this
 * replica's clock: the scheduler asks it before each release batch and each release, so a replica
 * that stalled past its lease stops releasing before another replica can take the tenant. `stop()`
 * gives every tenant back the same way (lost → free). Clock injected; no timers of its own.
 */
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { assignTenants } from "./assign.ts";
import { planLeases, provable, type HeldLease, type LeaseView } from "./lease-plan.ts";
import type { LeaseStore, ReplicaDoc } from "./lease-store.ts";
import type { ClaimExchange } from "./claim-exchange.ts";
import { burstCap, claimUnion, latestClaims, slotBudget, type ClaimUnionInput } from "./slot-division.ts";

export interface OwnershipOptions {
  /** Lease (and heartbeat) length; default 10 s. */
  readonly leaseMs: number;
  /** Least time between ownership rounds; default 1 s. */
  readonly renewMs: number;
  /** Time a held lease must still have for `owns()`; default a quarter of the lease. */
  readonly marginMs: number;
  /**
   * A dead replica's heartbeat (expired this long ago) is deleted by the next round of any live
   * replica; until then operators see it as dead (`sluice fleet`). Default 10 minutes.
   */
  readonly deadReplicaRetentionMs: number;
}

export interface OwnershipDeps {
  readonly store: LeaseStore;
  readonly replicaId: string;
  readonly now: () => number;
  readonly log: Logger;
  /** The replicas' slot claims (ADR 0029); without it a replica with live peers divides by nothing but its own claims. */
  readonly claims?: ClaimExchange;
}

/** What `budget` divides: the fleet's free slots, this replica's claims, and every tenant's counters and quota. */
export interface BudgetInput {
  readonly free: number;
  readonly mine: ClaimUnionInput["mine"];
  readonly usage: ClaimUnionInput["usage"];
  readonly quotas: ClaimUnionInput["quotas"];
  readonly now: number;
}

export interface SyncHooks {
  /** Stops the lanes of tenants this replica no longer owns (their messages returned); awaited. */
  lost(tenants: readonly TenantId[]): Promise<void>;
  /** Σ weight of this replica's backlogged tenants, published in its heartbeat (for operators). */
  readonly weight: number;
}

export interface SyncReport {
  readonly at: number;
  readonly replicas: number;
  readonly owned: number;
  readonly gained: TenantId[];
  readonly lost: TenantId[];
  readonly released: TenantId[];
}

export const DEFAULT_OWNERSHIP_OPTIONS = {
  leaseMs: 10_000,
  renewMs: 1_000,
  deadReplicaRetentionMs: 600_000,
} as const;

export class TenantOwnership {
  readonly replicaId: string;
  readonly #deps: OwnershipDeps;
  readonly #opts: OwnershipOptions;
  #held = new Map<TenantId, HeldLease>();
  #known = new Set<TenantId>();
  #peers: ReplicaDoc[] = [];
  #lastSyncAt: number | undefined;
  #syncing: Promise<SyncReport> | undefined;

  constructor(deps: OwnershipDeps, options: Partial<OwnershipOptions> = {}) {
    this.#deps = deps;
    this.replicaId = deps.replicaId;
    const leaseMs = options.leaseMs ?? DEFAULT_OWNERSHIP_OPTIONS.leaseMs;
    this.#opts = {
      leaseMs,
      renewMs: options.renewMs ?? Math.min(DEFAULT_OWNERSHIP_OPTIONS.renewMs, Math.floor(leaseMs / 4)),
      marginMs: options.marginMs ?? Math.floor(leaseMs / 4),
      deadReplicaRetentionMs:
        options.deadReplicaRetentionMs ?? DEFAULT_OWNERSHIP_OPTIONS.deadReplicaRetentionMs,
    };
  }

  get options(): OwnershipOptions {
    return this.#opts;
  }

  /** True while this replica holds the tenant's lease with more than the margin left. */
  owns(tenant: TenantId, now = this.#deps.now()): boolean {
    return provable(this.#held.get(tenant), now, this.#opts.marginMs);
  }

  /** Tenants held now (provable or not yet found lost). */
  held(): TenantId[] {
    return [...this.#held.keys()];
  }

  /** Live replicas as of the last round (this one included). */
  peers(): readonly ReplicaDoc[] {
    return this.#peers;
  }

  /** A round is due: `renewMs` since the last one, or a tenant the last one did not know. */
  due(now: number, tenants: Iterable<TenantId>): boolean {
    if (
      this.#lastSyncAt === undefined ||
      now - this.#lastSyncAt >= this.#opts.renewMs ||
      now < this.#lastSyncAt
    )
      return true;
    for (const t of tenants) if (!this.#known.has(t)) return true;
    return false;
  }

  /** Runs a round when due (one at a time; a caller finding one in flight waits for it). */
  async syncIfDue(
    now: number,
    tenants: readonly TenantId[],
    hooks: SyncHooks,
  ): Promise<SyncReport | undefined> {
    if (this.#syncing !== undefined) return this.#syncing;
    if (!this.due(now, tenants)) return undefined;
    return this.sync(tenants, hooks);
  }

  /** One ownership round (see the module note). Public so tests drive it. */
  sync(tenants: readonly TenantId[], hooks: SyncHooks): Promise<SyncReport> {
    const run = this.#round(tenants, hooks).finally(() => (this.#syncing = undefined));
    this.#syncing = run;
    return run;
  }

  /**
   * This replica's slots out of the fleet's `free` (ADR 0029): alone (no other live replica as of the
   * last round), all of them; else its share by the same water-filling over every replica's claims
   * that the others run (`slot-division.ts`), at most `burstCap` of them while the others may not
   * have seen its claims yet; `publishClaims` then publishes its own after the decision.
   */
  budget(input: BudgetInput): number {
    const { free, now } = input;
    const exchange = this.#deps.claims;
    if (!this.#hasPeers(now)) return free;
    // None of its tenants can take a slot: nothing to divide (and no read of the others' claims).
    if (input.mine.size === 0) return 0;
    const claims = claimUnion({
      me: this.replicaId,
      mine: input.mine,
      others: exchange?.others(now) ?? [],
      usage: input.usage,
      quotas: input.quotas,
    });
    const budget = slotBudget(free, this.replicaId, claims);
    // Claims the others may not have seen yet: they may be dividing the same slots without them.
    if (exchange?.unconfirmed(input.mine) !== true) return budget;
    const live = this.#peers.filter((p) => p.expiresAt > now).length;
    return Math.min(budget, burstCap(free, live));
  }

  /**
   * The other live replicas' tenants' claims as last read (no I/O), less what their owners released
   * since (`publishedClaimNow`): their backlog as far as this replica knows it, for the fleet-wide
   * fair shares it reports. Empty while alone.
   */
  peerClaims(now: number, usage: ClaimUnionInput["usage"]): Map<string, number> {
    if (!this.#hasPeers(now)) return new Map();
    const others = this.#deps.claims?.lastRead(now) ?? [];
    const latest = latestClaims({ me: this.replicaId, others, usage });
    return new Map([...latest].map(([t, c]) => [t, c.claim]));
  }

  /** Another replica was live as of the last ownership round (else this one is alone). */
  #hasPeers(now: number): boolean {
    return this.#peers.some((p) => p.replicaId !== this.replicaId && p.expiresAt > now);
  }

  /**
   * Publishes this replica's claims as they stand after a decision: `mine` less one per decided
   * release, so a tenant whose backlog the decision took (a woken tenant released at once, say) is not
   * seen by the others as still claiming a slot until the next publication; `bases` (`claimBases`)
   * let them also take off what this replica releases after it. Nothing while alone.
   */
  publishClaims(
    mine: ReadonlyMap<string, number>,
    releases: Iterable<{ tenantId: string }>,
    now: number,
    bases?: ReadonlyMap<string, number>,
  ): void {
    const exchange = this.#deps.claims;
    if (exchange === undefined || !this.#hasPeers(now)) return;
    const left = new Map(mine);
    for (const r of releases) {
      const c = left.get(r.tenantId);
      if (c !== undefined) left.set(r.tenantId, c - 1);
    }
    exchange.offer(left, now, bases);
  }

  async #round(tenants: readonly TenantId[], hooks: SyncHooks): Promise<SyncReport> {
    const { store, replicaId: me, log } = this.#deps;
    const now = this.#deps.now();
    this.#lastSyncAt = now;
    this.#known = new Set(tenants);
    await store.heartbeat({
      replicaId: me,
      at: now,
      expiresAt: now + this.#opts.leaseMs,
      weight: Math.max(0, hooks.weight),
      owned: this.#held.size,
    });
    const replicas = await store.replicas();
    let readAt = this.#deps.now();
    const live = replicas.filter((r) => r.expiresAt > readAt && r.replicaId !== me);
    await this.#pruneDead(replicas, readAt);
    this.#peers = [
      ...live,
      {
        kind: "replica",
        replicaId: me,
        at: now,
        expiresAt: now + this.#opts.leaseMs,
        weight: hooks.weight,
        owned: 0,
      },
    ];
    const assignment = assignTenants(
      tenants,
      this.#peers.map((p) => p.replicaId),
    );
    const target = new Set([...assignment].filter(([, r]) => r === me).map(([t]) => t));
    // Only the leases this round may take are read: in a steady state (every wanted tenant held)
    // none, so a round costs a heartbeat, a read of the heartbeats and one renewal, whatever the
    // tenant count. What this replica holds is checked by the renewal's match count instead.
    const wanted = [...target].filter((t) => !provable(this.#held.get(t), readAt, this.#opts.marginMs));
    const stored = new Map<TenantId, LeaseView>();
    for (const [t, l] of this.#held) stored.set(t, { owner: me, fence: l.fence, expiresAt: l.expiresAt });
    if (wanted.length > 0) {
      for (const [t, l] of await store.leases(wanted)) stored.set(t, l);
      readAt = this.#deps.now();
    }
    const plan = planLeases({
      me,
      now: readAt,
      marginMs: this.#opts.marginMs,
      target,
      stored,
      held: this.#held,
    });

    const gone = [...plan.lost, ...plan.release.map((r) => r.tenant)];
    for (const t of gone) this.#held.delete(t);
    if (gone.length > 0) await hooks.lost(gone);
    const released: TenantId[] = [];
    for (const r of plan.release) {
      if (await store.release(r.tenant, me, r.fence, this.#deps.now())) released.push(r.tenant);
    }

    const renewAt = this.#deps.now();
    const expiresAt = renewAt + this.#opts.leaseMs;
    if (plan.keep.length > 0) {
      const matched = await store.renewAll(me, renewAt, expiresAt);
      if (matched === plan.keep.length) {
        for (const t of plan.keep)
          this.#held.set(t, { fence: (this.#held.get(t) as HeldLease).fence, expiresAt });
      } else await this.#reconcileRenewal(plan.keep, expiresAt, hooks);
    }

    const gained: TenantId[] = [];
    for (const a of plan.acquire) {
      const at = this.#deps.now();
      const fence = await store.acquire(a.tenant, a.fence, me, at, at + this.#opts.leaseMs);
      if (fence === null) continue;
      this.#held.set(a.tenant, { fence, expiresAt: at + this.#opts.leaseMs });
      gained.push(a.tenant);
    }
    const lostAll = [...plan.lost, ...plan.release.map((r) => r.tenant)];
    if (gained.length > 0 || lostAll.length > 0)
      log.info(
        {
          replicaId: me,
          replicas: this.#peers.length,
          owned: this.#held.size,
          gained: gained.length,
          lost: plan.lost.length,
          released: released.length,
        },
        "scheduler tenant ownership changed",
      );
    return {
      at: now,
      replicas: this.#peers.length,
      owned: this.#held.size,
      gained,
      lost: plan.lost,
      released,
    };
  }

  /** Deletes heartbeats dead for longer than the retention (best effort: the next round tries again). */
  async #pruneDead(replicas: readonly ReplicaDoc[], now: number): Promise<void> {
    const before = now - this.#opts.deadReplicaRetentionMs;
    const dead = replicas.filter((r) => r.expiresAt < before).map((r) => r.replicaId);
    if (dead.length === 0) return;
    try {
      const pruned = await this.#deps.store.pruneReplicas(dead, before);
      if (pruned > 0)
        this.#deps.log.info(
          { replicaId: this.replicaId, pruned },
          "dead scheduler replicas' heartbeats deleted",
        );
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      this.#deps.log.warn(
        { err: { name: e.name, code: e.code, message: e.message } },
        "could not delete dead scheduler replicas' heartbeats",
      );
    }
  }

  /** The renewal matched fewer leases than kept: keep only those the store shows renewed (same fence). */
  async #reconcileRenewal(keep: readonly TenantId[], expiresAt: number, hooks: SyncHooks): Promise<void> {
    const mine = await this.#deps.store.leasesOf(this.#deps.replicaId);
    const lost: TenantId[] = [];
    for (const t of keep) {
      const held = this.#held.get(t) as HeldLease;
      const s = mine.get(t);
      if (s !== undefined && s.fence === held.fence && s.expiresAt === expiresAt)
        this.#held.set(t, { fence: held.fence, expiresAt });
      else {
        this.#held.delete(t);
        lost.push(t);
      }
    }
    if (lost.length > 0) await hooks.lost(lost);
  }

  /**
   * Gives every tenant back: `lost` for all (lanes stop, messages returned), then frees each lease and
   * removes the heartbeat. Called by the scheduler's `stop()`; best effort per lease (an unfreed one
   * expires).
   */
  async releaseAll(lost: (tenants: readonly TenantId[]) => Promise<void>): Promise<void> {
    await this.#syncing?.catch(() => undefined);
    const held = [...this.#held];
    this.#held = new Map();
    await lost(held.map(([t]) => t));
    const { store, replicaId: me } = this.#deps;
    await Promise.allSettled(held.map(([t, l]) => store.release(t, me, l.fence, this.#deps.now())));
    await store.removeReplica(me).catch(() => undefined);
    await this.#deps.claims?.withdraw();
    this.#lastSyncAt = undefined;
  }
}
