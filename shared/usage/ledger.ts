/**
 * Exactly-once give-back of a job's running slot, keyed by job id.
 *
 * The scheduler takes a slot (`UsageStore.tryAcquire`) before it releases a job; the worker gives it
 * back (`UsageStore.release`) when the job becomes terminal (ADR 0007: a job resting on a Wait or
 * parked for review keeps its slot). Both events can happen more than once (a redelivered intake
 * message releases the same job again; a duplicate work message finds the job terminal) and in either
 * order (a fast job can finish before the scheduler has recorded its release). One ledger document per
 * job settles it:
 *
 *   { _id: "<tenant>/<jobId>", tenantId, jobId, acquired?: true, settled?: true, at }
 *
 * Each side sets its own flag with one atomic upsert that returns the document as it was before. The
 * side that arrives second (it sees the other flag already set and its own not yet) gives the slot
 * back; a side that finds its own flag already set is a repeat and changes nothing (a repeated
 * acquisition returns its extra slot at once). So the counter moves exactly once per job whatever the
 * interleaving, across any number of schedulers and workers. Crash windows (a scheduler dying between
 * releasing the job and recording it, a worker between the terminal write and the hook) leave the
 * counter high; `UsageStore.reconcile` repairs those from the jobs themselves.
 *
 * A job woken from a Wait, or resumed after a review, runs on the slot it has held since its release:
 * no wake-up ever runs without one. Settled documents are pruned after `retentionMs`; unsettled ones
 * (jobs still in flight) only after `UNSETTLED_RETENTION_MS`.
 */
import type { Collection, Db } from "mongodb";
import type { Logger } from "pino";
import { isDuplicateKeyError } from "../mongo/errors.ts";
import { tenantCollection } from "../tenancy/scoped-collection.ts";
import type { TenantDataRouter } from "../tenancy/tenant-router.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { COLLECTIONS } from "../mongo/collections.ts";
import type { JobRestedHook, JobRunOutcome } from "../fleet/job-rested.ts";

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

/** `held`: the slot stays taken until the job is terminal. `settled`: the job had already finished; slot given back. `repeat`: this acquisition was extra; given back (with today's daily count). */
export type AcquiredOutcome = "held" | "settled" | "repeat";
/** `released`: this call gave the slot back. `pending`: the scheduler's record is not there yet (it will give it back). `repeat`: already settled. */
export type SettledOutcome = "released" | "pending" | "repeat";

/** Ledger documents of jobs not settled yet are kept at least this long (30 days). */
export const UNSETTLED_RETENTION_MS = 30 * 86_400_000;

export class UsageLedger {
  readonly #router: TenantDataRouter;
  readonly #usage: SlotReleaser;
  readonly #now: () => number;
  readonly #log: Logger;

  /** `router`: where each tenant's data lives (its ledger documents sit beside its jobs). */
  constructor(router: TenantDataRouter, usage: SlotReleaser, options: { now: () => number; log: Logger }) {
    this.#router = router;
    this.#usage = usage;
    this.#now = options.now;
    this.#log = options.log.child({ component: "usage-ledger" });
  }

  #ledger(tenant: TenantId) {
    return tenantCollection<LedgerDoc>(this.#router, tenant, COLLECTIONS.usageLedger);
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

  /** `jobId` became terminal (complete, failed, cancelled). */
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
   * An operator's retry of a terminal job took a fresh slot for its new attempt: the job's record
   * starts over as acquired and not settled, so the attempt's end gives that slot back exactly once.
   */
  async recordReacquired(tenant: TenantId, jobId: string): Promise<void> {
    await this.#ledger(tenant).updateOne(
      { _id: `${tenant}/${jobId}` },
      { $set: { acquired: true, at: this.#now() }, $unset: { settled: "" }, $setOnInsert: { jobId } },
      { upsert: true },
    );
  }

  /**
   * Deletes settled ledger documents older than `retentionMs`, and any older than
   * `UNSETTLED_RETENTION_MS` (a job parked longer loses its record: reconcile lowers the counter when
   * it finishes). OPERATOR-LEVEL maintenance across tenants (bookkeeping only, no tenant data).
   */
  async prune(retentionMs: number): Promise<number> {
    const now = this.#now();
    const filter = {
      $or: [
        { settled: true, at: { $lt: now - retentionMs } },
        { at: { $lt: now - Math.max(retentionMs, UNSETTLED_RETENTION_MS) } },
      ],
    };
    let deleted = 0;
    for (const { db } of await this.#router.databases()) {
      deleted += (await ledgerOf(db).deleteMany(filter)).deletedCount;
    }
    return deleted;
  }

  async #mark(tenant: TenantId, jobId: string, flag: "acquired" | "settled"): Promise<LedgerDoc | null> {
    const ledger = this.#ledger(tenant);
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

/** OPERATOR-LEVEL maintenance: the raw `usage_ledger` collection of one database holding tenant data (pruning only). */
function ledgerOf(db: Db): Collection<LedgerDoc> {
  return db.collection<LedgerDoc>(COLLECTIONS.usageLedger);
}

/**
 * What a worker's outcome means for the job's slot (ADR 0007: held until the job is terminal):
 * - `give-back`: the job finished (complete / failed) in this run;
 * - `if-terminal`: the job may be terminal, by another hand: skipped as not claimable (terminal or
 *   needs_review) or lost to another writer (a cancel, a poison path, another worker); the hook reads
 *   its status and gives the slot back only if it is terminal;
 * - `hold`: still in flight (resting on a Wait, parked for review, a Wait not yet due, released at
 *   shutdown, contended, not found, errors).
 */
export type SlotAction = "give-back" | "if-terminal" | "hold";

export function slotAction(outcome: JobRunOutcome): SlotAction {
  switch (outcome.kind) {
    case "finished":
      return "give-back";
    case "lost":
      return "if-terminal";
    case "skipped":
      return outcome.reason === "not_claimable" ? "if-terminal" : "hold";
    case "resting":
    case "review":
    case "released":
      return "hold";
    default:
      return unreachable(outcome);
  }
}

function unreachable(outcome: never): never {
  throw new Error(`unknown job outcome ${JSON.stringify(outcome)}`);
}

/** Whether the tenant's job is terminal now (false when it does not exist). */
export type TerminalLookup = (tenant: TenantId, jobId: string) => Promise<boolean>;

/**
 * The worker hook (`WorkerDeps.onSettled`): gives the job's slot back, exactly once, when it is
 * terminal. Never throws.
 */
export function settleHook(
  ledger: Pick<UsageLedger, "recordSettled">,
  isTerminal: TerminalLookup,
  log: Logger,
): JobRestedHook {
  return async (work, outcome) => {
    const action = slotAction(outcome);
    if (action === "hold") return;
    try {
      if (action === "if-terminal" && !(await isTerminal(work.tenantId, work.jobId))) return;
      await ledger.recordSettled(work.tenantId, work.jobId);
    } catch (err) {
      // The periodic reconcile gives the slot back from the job's status.
      log.warn({ err, ...work }, "could not record the job's end in the usage ledger");
    }
  };
}
