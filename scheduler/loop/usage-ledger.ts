/**
 * Exactly-once give-back of a job's running slot, keyed by job id.
 *
 * The scheduler takes a slot (`UsageStore.tryAcquire`) before it releases a job; the worker must give
 * it back (`UsageStore.release`) when the job first reaches a resting point. Both events can happen
 * more than once (a redelivered intake message releases the same job again; a job woken from a Wait
 * rests again; a duplicate work message finds the job terminal) and in either order (a fast job can
 * rest before the scheduler has recorded its release). One ledger document per job settles it:
 *
 *   { _id: "<tenant>/<jobId>", tenantId, jobId, acquired?: true, settled?: true, at }
 *
 * Each side sets its own flag with one atomic upsert that returns the document as it was before. The
 * side that arrives second (it sees the other flag already set and its own not yet) gives the slot
 * back; a side that finds its own flag already set is a repeat and changes nothing (a repeated
 * acquisition returns its extra slot at once). So the counter moves exactly once per job whatever the
 * interleaving, across any number of schedulers and workers. Crash windows (a scheduler dying between
 * releasing the job and recording it, a worker between the resting write and the hook) leave the
 * counter high; `UsageStore.reconcile` repairs those from the jobs themselves.
 *
 * A job woken from a Wait runs again without a new acquisition (its slot was given back when it
 * rested); reconcile counts it in flight meanwhile. Documents are pruned after `retentionMs`.
 */
import type { Collection, Db } from "mongodb";
import type { Logger } from "pino";
import { isDuplicateKeyError } from "../../shared/mongo/errors.ts";
import { scopedCollection } from "../../shared/tenancy/scoped-collection.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";

export interface LedgerDoc {
  _id: string;
  tenantId: string;
  jobId: string;
  acquired?: boolean;
  settled?: boolean;
  at: number;
}

/** The part of `UsageStore` the ledger drives. */
export interface SlotReleaser {
  release(tenant: TenantId, options?: { refundDaily?: boolean }): Promise<boolean>;
}

/** `held`: the slot stays taken until the job rests. `settled`: the job had already rested; slot given back. `repeat`: this acquisition was extra; given back (with today's daily count). */
export type AcquiredOutcome = "held" | "settled" | "repeat";
/** `released`: this call gave the slot back. `pending`: the scheduler's record is not there yet (it will give it back). `repeat`: already settled. */
export type SettledOutcome = "released" | "pending" | "repeat";

export class UsageLedger {
  readonly #db: Db;
  readonly #usage: SlotReleaser;
  readonly #now: () => number;
  readonly #log: Logger;

  /** `db`: the shared database. */
  constructor(db: Db, usage: SlotReleaser, options: { now: () => number; log: Logger }) {
    this.#db = db;
    this.#usage = usage;
    this.#now = options.now;
    this.#log = options.log.child({ component: "usage-ledger" });
  }

  #raw(): Collection<LedgerDoc> {
    return this.#db.collection<LedgerDoc>(COLLECTIONS.usageLedger);
  }

  /** The scheduler released `jobId` holding one acquired slot. */
  async recordAcquired(tenant: TenantId, jobId: string): Promise<AcquiredOutcome> {
    const before = await this.#mark(tenant, jobId, "acquired");
    if (before?.acquired === true) {
      await this.#usage.release(tenant, { refundDaily: true });
      return "repeat";
    }
    if (before?.settled === true) {
      await this.#usage.release(tenant);
      return "settled";
    }
    return "held";
  }

  /** A worker brought `jobId` to a resting point (terminal, needs_review, resting on a Wait). */
  async recordSettled(tenant: TenantId, jobId: string): Promise<SettledOutcome> {
    const before = await this.#mark(tenant, jobId, "settled");
    if (before?.settled === true) return "repeat";
    if (before?.acquired === true) {
      await this.#usage.release(tenant);
      return "released";
    }
    return "pending";
  }

  /**
   * Deletes ledger documents older than `retentionMs`. OPERATOR-LEVEL maintenance across tenants
   * (bookkeeping only, no tenant data).
   */
  async prune(retentionMs: number): Promise<number> {
    const res = await this.#raw().deleteMany({ at: { $lt: this.#now() - retentionMs } });
    return res.deletedCount;
  }

  async #mark(tenant: TenantId, jobId: string, flag: "acquired" | "settled"): Promise<LedgerDoc | null> {
    const ledger = scopedCollection(this.#raw(), tenant);
    const _id = `${tenant}/${jobId}`;
    const update = { $set: { [flag]: true, at: this.#now() }, $setOnInsert: { jobId } };
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await ledger.findOneAndUpdate({ _id }, update, { upsert: true, returnDocument: "before" });
      } catch (err) {
        // Two first marks raced on the insert; the loser retries as an update of the winner's document.
        if (!isDuplicateKeyError(err) || attempt >= 2) throw err;
        this.#log.debug({ tenantId: tenant, jobId }, "ledger insert raced; retrying");
      }
    }
  }
}

/** What a worker passes its settle hook (structurally the worker's `MessageOutcome`). */
export interface SettleOutcome {
  readonly kind: string;
  readonly reason?: string;
}

/**
 * Whether a worker's outcome means the job is at a resting point now: finished (complete / failed),
 * resting on a Wait, waiting for review, or skipped because it already rests
 * (terminal / needs_review: `not_claimable`; a Wait not yet due: `not_due`). Not: released at shutdown,
 * lost to another writer, contended, not found, errors (the job is still in flight).
 */
export function isRestingOutcome(outcome: SettleOutcome): boolean {
  switch (outcome.kind) {
    case "finished":
    case "resting":
    case "review":
      return true;
    case "skipped":
      return outcome.reason === "not_claimable" || outcome.reason === "not_due";
    default:
      return false;
  }
}

/** The worker hook (`WorkerDeps.onSettled`): gives the job's slot back when it rests. Never throws. */
export function settleHook(
  ledger: UsageLedger,
  log: Logger,
): (work: { tenantId: TenantId; jobId: string }, outcome: SettleOutcome) => Promise<void> {
  return async (work, outcome) => {
    if (!isRestingOutcome(outcome)) return;
    try {
      await ledger.recordSettled(work.tenantId, work.jobId);
    } catch (err) {
      // The periodic reconcile gives the slot back from the job's status.
      log.warn({ err, ...work }, "could not record the job's resting point in the usage ledger");
    }
  };
}
