/**
 * How replicas see each other's slot claims (ADR 0029), around the `ClaimStore`: the thin, timed half
 * of the slot division (`slot-division.ts` is the pure half). Clock injected; no timers: the fair
 * scheduler's tick drives it through `TenantOwnership.budget`, and the I/O runs in the background, so
 * a tick never waits for it (it divides with what was last read).
 *
 * - `offer` records this replica's claims and publishes them when they changed (a claim is at most
 *   the tenant's cap, so a deep backlog publishes once, not at every release; a claim below the cap
 *   carries its basis, so readers can take off what was released since), at most every
 *   `publishMs`, one write at a time (the latest claims win), and again every `ttlMs / 2` while they
 *   are not empty, so they do not expire while the replica lives.
 * - `others` returns the other replicas' unexpired publications as last read, and starts a read when
 *   `refreshMs` have passed since the last one. Documents expired for over a minute are deleted.
 * - `withdraw` deletes this replica's document (a clean stop).
 * - `unconfirmed` says whether a tenant now claiming is one the other replicas may not know of yet:
 *   not in a publication that was written before a read of theirs began (so they, reading as often,
 *   cannot have divided with it either). `TenantOwnership.budget` then caps this replica's share of a
 *   burst of free slots (`burstCap`), as the others may be taking the same slots for their own claims.
 *
 * Failed reads and writes are logged (name, code, message) and retried at the next call; until then
 * the last publication read stands (a claim never outlives its document's expiry).
 */
import type { Logger } from "pino";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { ClaimDoc, ClaimStore } from "./claim-store.ts";

export interface ClaimExchangeOptions {
  /** Least time between two publications of changed claims; default 50 ms. */
  readonly publishMs: number;
  /** Least time between two reads of the others' claims; default 100 ms. */
  readonly refreshMs: number;
  /** A publication expires this long after it was written; default 5 s. */
  readonly ttlMs: number;
}

export const DEFAULT_CLAIM_EXCHANGE_OPTIONS: ClaimExchangeOptions = {
  publishMs: 50,
  refreshMs: 100,
  ttlMs: 5_000,
};

const PRUNE_AFTER_MS = 60_000;

export class ClaimExchange {
  readonly #store: ClaimStore;
  readonly #me: string;
  readonly #log: Logger;
  readonly #opts: ClaimExchangeOptions;
  #publishedKey: string | undefined;
  #publishedAt: number | undefined;
  #want: { key: string; doc: ClaimDoc } | undefined;
  #writing: Promise<void> | undefined;
  #others: ClaimDoc[] = [];
  #readAt: number | undefined;
  #reading: Promise<void> | undefined;
  /** Tenants of the last publication written. */
  #written = new Set<string>();
  /** Tenants of the last publication written before a read that has completed began. */
  #confirmed = new Set<string>();
  /** Publications written and reads made (for tests and the ADR's cost figures). */
  readonly counts = { writes: 0, reads: 0, failures: 0 };

  constructor(
    deps: { store: ClaimStore; replicaId: string; log: Logger },
    options: Partial<ClaimExchangeOptions> = {},
  ) {
    this.#store = deps.store;
    this.#me = deps.replicaId;
    this.#log = deps.log;
    this.#opts = { ...DEFAULT_CLAIM_EXCHANGE_OPTIONS, ...options };
  }

  /**
   * Records this replica's claims at `now`, with the `bases` of those below their tenant's cap
   * (`ReplicaClaims`); publishes them in the background when due (see the note).
   */
  offer(claims: ReadonlyMap<string, number>, now: number, bases?: ReadonlyMap<string, number>): void {
    const list = [...claims]
      .filter(([, c]) => c > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([tenant, claim]) => {
        const basis = bases?.get(tenant);
        return {
          tenant: tenant as TenantId,
          claim: Math.floor(claim),
          ...(basis !== undefined ? { basis: Math.max(0, Math.floor(basis)) } : {}),
        };
      });
    const key = JSON.stringify(list);
    const last = this.#publishedAt;
    // A non-empty publication is renewed before it expires; an empty one may lapse (the same to readers).
    const stale = list.length > 0 && (last === undefined || now < last || now - last >= this.#opts.ttlMs / 2);
    const due = last === undefined || now < last || now - last >= this.#opts.publishMs;
    this.#want =
      key !== this.#publishedKey || stale
        ? { key, doc: { replicaId: this.#me, at: now, expiresAt: now + this.#opts.ttlMs, claims: list } }
        : undefined;
    // Changed again sooner than `publishMs`: remembered, and written by a later offer.
    if (due) this.#flush();
  }

  /** The other replicas' unexpired claims as last read; starts a read when `refreshMs` have passed. */
  others(now: number): readonly ClaimDoc[] {
    const r = this.#readAt;
    if (this.#reading === undefined && (r === undefined || now < r || now - r >= this.#opts.refreshMs)) {
      this.#readAt = now;
      const basis = this.#written;
      this.#reading = this.#read(now, basis).finally(() => (this.#reading = undefined));
    }
    return this.lastRead(now);
  }

  /** The other replicas' unexpired claims as last read, without starting a read (for metrics). */
  lastRead(now: number): readonly ClaimDoc[] {
    return this.#others.filter((d) => d.replicaId !== this.#me && d.expiresAt > now);
  }

  /**
   * True when a tenant of `claims` (claim > 0) was not in a publication written before the start of a
   * completed read: the other replicas, on the same cycle, may not have seen it yet.
   */
  unconfirmed(claims: ReadonlyMap<string, number>): boolean {
    for (const [t, c] of claims) if (c > 0 && !this.#confirmed.has(t)) return true;
    return false;
  }

  /** Waits for the reads and writes in flight (tests; a stop). */
  async settled(): Promise<void> {
    while (this.#writing !== undefined || this.#reading !== undefined)
      await Promise.all([this.#writing, this.#reading]);
  }

  /** Deletes this replica's publication (best effort) and forgets what it read. */
  async withdraw(): Promise<void> {
    await this.settled();
    this.#want = undefined;
    this.#publishedKey = undefined;
    this.#publishedAt = undefined;
    this.#others = [];
    this.#readAt = undefined;
    this.#written = new Set();
    this.#confirmed = new Set();
    await this.#store
      .remove(this.#me)
      .catch((err: unknown) => this.#warn(err, "could not withdraw slot claims"));
  }

  #flush(): void {
    const want = this.#want;
    if (this.#writing !== undefined || want === undefined) return;
    this.#want = undefined;
    this.#writing = this.#store
      .publish(want.doc)
      .then(
        () => {
          this.counts.writes += 1;
          this.#publishedKey = want.key;
          this.#publishedAt = want.doc.at;
          this.#written = new Set(want.doc.claims.map((c) => c.tenant));
        },
        (err: unknown) => {
          this.counts.failures += 1;
          this.#warn(err, "could not publish slot claims; retrying at the next tick");
        },
      )
      .finally(() => {
        this.#writing = undefined;
        // Claims that changed while this write was in flight go out now.
        if (this.#want !== undefined && this.#want.key !== this.#publishedKey) this.#flush();
      });
  }

  async #read(now: number, basis: ReadonlySet<string>): Promise<void> {
    try {
      this.#others = await this.#store.read();
      this.counts.reads += 1;
      this.#confirmed = new Set(basis);
      if (this.#others.some((d) => d.expiresAt < now - PRUNE_AFTER_MS))
        await this.#store.prune(now - PRUNE_AFTER_MS);
    } catch (err) {
      this.counts.failures += 1;
      this.#warn(err, "could not read the other replicas' slot claims; dividing with the last read");
    }
  }

  #warn(err: unknown, msg: string): void {
    const e = err as { name?: string; code?: string; message?: string };
    this.#log.warn({ replicaId: this.#me, err: { name: e.name, code: e.code, message: e.message } }, msg);
  }
}
