/**
 * The sweeper: MongoDB is the source of truth, so a lost SQS message only delays a job. Each
 * `tick(now)` (public: tests build a dead state and call it directly) does, in every database that
 * holds jobs:
 *
 * 1. expired leases: `running` jobs whose lease ran out go back to `queued` (`expireLease` CAS),
 *    unless that run was the job's last allowed one without progress (`maxAttempts`, see
 *    shared/jobs/decide-claim.ts): then the job is failed with `Sluice.Poison` and the reason, and
 *    no message is sent, so a job that kills its worker every time ends instead of looping;
 * 2. due wake-ups: `queued` jobs resting on a Wait whose `wakeAt` passed (`requeue` CAS);
 * 3. lost messages: `queued` jobs with no wake-up, untouched for `redriveAfterMs` (`requeue` CAS,
 *    which stamps `updatedAt`, so the job is not stale again until another `redriveAfterMs`);
 * 4. overdue reviews (when given `reviews`): `needs_review` jobs whose review Task's
 *    `TimeoutSeconds` ran out fail that Task with `States.Timeout` (`Reviews.timeOut`: a CAS and a
 *    work message, like a human's decision; a decision that came first makes it a refusal);
 * 5. unsent intake messages (when given `intakeQueueUrl`): jobs the API recorded whose intake message
 *    was never confirmed sent, `redriveAfterMs` after their creation, get it sent again
 *    (workers/sweeper-intake.ts, ADR 0026).
 *
 * and sends one work message per job whose CAS it won. A candidate whose `_id`, `tenantId` or
 * `version` does not parse is skipped and reported on its own, with its field paths (the rest of the
 * batch is swept); when its tenant and id can be read it is retired — marked `failed` with
 * `Sluice.InvalidJobDocument`, its document kept under `invalid.raw` (shared/jobs/invalid-job.ts) —
 * which takes it out of every later pass and, being terminal, gives its tenant's slot back at the
 * next usage reconcile. (A document that is invalid elsewhere is a normal candidate here; the worker
 * that receives its message retires it.) Several sweepers may run at once: they race
 * on the same `version`, one wins and sends; the others skip. Extra messages that do slip through
 * (a redelivered original beside the sweeper's copy) are harmless: workers claim with a CAS and a
 * job that moved on makes the duplicate a no-op.
 */
import type { Db } from "mongodb";
import type { Logger } from "pino";
import type { SqsPort } from "../shared/aws/sqs-port.ts";
import { decideClaim } from "../shared/jobs/decide-claim.ts";
import type { CasResult, JobStore } from "../shared/jobs/job-store.ts";
import {
  createSweeperQueries,
  sweptJobs,
  type InvalidSweepRow,
  type SweepCandidate,
} from "../shared/jobs/sweeper-queries.ts";
import { sendWorkMessage, type WorkMessage } from "../shared/messages/work-message.ts";
import type { Runtime } from "../shared/runtime/runtime.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import { ReviewRefusedError, type Reviews } from "./review.ts";
import { resendIntake } from "./sweeper-intake.ts";

export interface SweeperDeps {
  sqs: SqsPort;
  workQueueUrl: string;
  /**
   * Every database holding a `jobs` collection: the shared one and each dedicated tenant's, as the
   * tenant data router discovers them from the tenants collection (read again every tick, cached).
   */
  databases: () => Promise<readonly Db[]>;
  jobsOf: (tenant: TenantId) => JobStore;
  now: () => number;
  /** Queued jobs untouched this long are re-driven (their work message is presumed lost). */
  redriveAfterMs: number;
  /** Runs in a row without progress after which an expired job is failed instead of re-driven. */
  maxAttempts: number;
  /**
   * A due Wait is woken only this long after `wakeAt`, leaving time for the delayed work message a
   * worker sent for a short wait to arrive first (waits over 15 minutes have none).
   */
  wakeGraceMs: number;
  /** Decides overdue reviews; without it, pass 4 is skipped. */
  reviews?: Pick<Reviews, "timeOut">;
  /** A tenant's intake queue URL, for pass 5 (unsent intake messages); without it, pass 5 is skipped. */
  intakeQueueUrl?: (tenant: TenantId) => Promise<string>;
  /** Candidates per query per database per tick. */
  batchSize: number;
  intervalMs: number;
  log: Logger;
}

export interface SweepReport {
  expired: number;
  woken: number;
  redriven: number;
  /** Review Tasks failed with States.Timeout. */
  timedOut: number;
  /** Intake messages of recorded jobs sent again (never confirmed sent). */
  resent: number;
  /** Expired jobs out of attempts, failed with Sluice.Poison. */
  poisoned: number;
  /** Races lost to another sweeper, a worker or a reviewer (nothing sent). */
  skipped: number;
  /** Candidates whose document did not parse (skipped, reported with their field paths). */
  invalid: number;
  /** Of those, marked failed with Sluice.InvalidJobDocument. */
  retired: number;
  errors: number;
}

type Kind = "expired" | "woken" | "redriven" | "timedOut" | "poisoned" | "resent";

export class Sweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;
  #lastTickAt: number | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  /** When the last tick of the `start()` loop ended (its clock); undefined before the first. */
  get lastTickAt(): number | undefined {
    return this.#lastTickAt;
  }

  /** One idempotent pass over every database. Never throws; failures are counted and logged. */
  async tick(now: number = this.deps.now()): Promise<SweepReport> {
    const report: SweepReport = {
      expired: 0,
      woken: 0,
      redriven: 0,
      timedOut: 0,
      resent: 0,
      poisoned: 0,
      skipped: 0,
      invalid: 0,
      retired: 0,
      errors: 0,
    };
    let databases: readonly Db[];
    try {
      databases = await this.deps.databases();
    } catch (err) {
      report.errors += 1;
      this.deps.log.error({ err }, "sweeper could not list the databases holding jobs");
      return report;
    }
    for (const db of databases) {
      const invalid = new Map<string, InvalidSweepRow>();
      const q = createSweeperQueries(sweptJobs(db), {
        onInvalid: (row) => invalid.set(`${String(row.tenantId)}/${String(row.jobId)}`, row),
      });
      const n = this.deps.batchSize;
      await this.#pass(report, "expired", () => q.findExpiredLeases(now, n), this.#expiring(now));
      await this.#pass(
        report,
        "woken",
        () => q.findDueWakeups(now - this.deps.wakeGraceMs, n),
        this.#requeueing((s, c) => s.requeue(c.jobId, c.version, now)),
      );
      await this.#pass(
        report,
        "redriven",
        () => q.findStaleQueued(now - this.deps.redriveAfterMs, n),
        this.#requeueing((s, c) => s.requeue(c.jobId, c.version, now)),
      );
      const reviews = this.deps.reviews;
      if (reviews) {
        await this.#pass(
          report,
          "timedOut",
          () => q.findOverdueReviews(now, n),
          async (c) => {
            try {
              await reviews.timeOut(c.tenantId, c.jobId, now); // sends the work message itself
              return true;
            } catch (err) {
              // Decided meanwhile, or another sweeper won: nothing to do.
              if (err instanceof ReviewRefusedError && err.code !== "contended") return false;
              throw err;
            }
          },
        );
      }
      const intakeQueueUrl = this.deps.intakeQueueUrl;
      if (intakeQueueUrl) {
        const resend = { sqs: this.deps.sqs, jobsOf: this.deps.jobsOf, intakeQueueUrl, log: this.deps.log };
        await this.#pass(
          report,
          "resent",
          () => q.findUnsentIntake(now - this.deps.redriveAfterMs, n),
          (c) => resendIntake(resend, c, now),
        );
      }
      for (const row of invalid.values()) await this.#retire(report, row, now);
    }
    const acted =
      report.expired +
      report.woken +
      report.redriven +
      report.timedOut +
      report.resent +
      report.poisoned +
      report.invalid;
    if (acted + report.errors > 0) {
      this.deps.log.info(report, "sweep");
    }
    return report;
  }

  /** A candidate that failed to parse: reported; failed as invalid when its tenant and id can be read. */
  async #retire(report: SweepReport, row: InvalidSweepRow, now: number): Promise<void> {
    report.invalid++;
    const { tenantId, jobId, issues } = row;
    this.deps.log.error({ tenantId, jobId, issues }, "invalid job document skipped by the sweeper");
    if (tenantId === null || jobId === null) return; // no tenant-scoped store can reach it: operator
    try {
      const r = await this.deps.jobsOf(tenantId).retireInvalid(jobId, now);
      if (r.kind === "retired" && r.written) {
        report.retired++;
        this.deps.log.error({ tenantId, jobId }, "invalid job marked failed (Sluice.InvalidJobDocument)");
      }
    } catch (err) {
      report.errors++;
      this.deps.log.error({ err, tenantId, jobId }, "could not mark an invalid job failed");
    }
  }

  /** Acts on candidates with a CAS; a won CAS sends the job's work message. */
  #requeueing(
    cas: (store: JobStore, c: SweepCandidate) => Promise<CasResult>,
  ): (c: SweepCandidate) => Promise<boolean> {
    return async (c) => {
      const r = await cas(this.deps.jobsOf(c.tenantId), c);
      if (!r.ok) return false;
      const work: WorkMessage = { tenantId: c.tenantId, jobId: c.jobId };
      // A send that fails after a won CAS leaves the job queued and fresh; pass 3 re-drives it once
      // it is stale again.
      await sendWorkMessage(this.deps.sqs, this.deps.workQueueUrl, work, { trace: c.trace });
      return true;
    };
  }

  /**
   * An expired lease: re-drive the job, or fail it when that was its last allowed run without
   * progress (the same decision as a claim's, so a message would only have it failed there).
   */
  #expiring(now: number): (c: SweepCandidate) => Promise<boolean | "poisoned"> {
    const requeue = this.#requeueing((s, c) => s.expireLease(c.jobId, c.version, now));
    return async (c) => {
      const store = this.deps.jobsOf(c.tenantId);
      const job = await store.get(c.jobId);
      if (job === null || job.version !== c.version) return false; // moved on since the query
      const d = decideClaim(job, now, this.deps.maxAttempts);
      if (!d.claimable && d.reason === "exhausted") {
        const r = await store.failExhausted(job, d.how, now, this.deps.maxAttempts);
        return r.ok ? "poisoned" : false;
      }
      return requeue(c);
    };
  }

  /**
   * Finds candidates and acts on each: true = done (counted as `kind`), "poisoned" = failed as out
   * of attempts (counted so), false = skipped.
   */
  async #pass(
    report: SweepReport,
    kind: Kind,
    find: () => Promise<SweepCandidate[]>,
    act: (c: SweepCandidate) => Promise<boolean | "poisoned">,
  ): Promise<void> {
    let candidates: SweepCandidate[];
    try {
      candidates = await find();
    } catch (err) {
      report.errors++;
      this.deps.log.error({ err, kind }, "sweeper query failed");
      return;
    }
    for (const c of candidates) {
      try {
        const done = await act(c);
        if (!done) {
          report.skipped++;
          continue;
        }
        const counted = done === "poisoned" ? done : kind;
        report[counted]++;
        this.deps.log.info({ tenantId: c.tenantId, jobId: c.jobId, kind: counted }, "job swept");
      } catch (err) {
        report.errors++;
        this.deps.log.error({ err, tenantId: c.tenantId, jobId: c.jobId, kind }, "sweep of a job failed");
      }
    }
  }

  /** Ticks every `intervalMs` until `stop()`. Idempotent. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    const loop = () => {
      this.#running = this.tick().finally(() => {
        this.#lastTickAt = this.deps.now();
        if (!this.#stopped) this.#timer = setTimeout(loop, this.deps.intervalMs);
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops ticking and waits for a tick in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}

export interface CreateSweeperOptions {
  /** Default: `config.sweeper.redriveAfterMs`, else 2 × the visibility timeout. */
  staleQueuedMs?: number | undefined;
  /** Default 5 s. */
  wakeGraceMs?: number;
  now?: () => number;
  /** Decides overdue reviews (`createReviews(rt, catalog)`); without it they wait indefinitely. */
  reviews?: Pick<Reviews, "timeOut">;
}

/**
 * A sweeper over a runtime's shared database and every dedicated tenant's, discovered through the
 * tenant data router from the tenants collection (a tenant promoted while it runs is swept from the
 * router's next refresh on).
 */
export function createSweeper(rt: Runtime, opts: CreateSweeperOptions = {}): Sweeper {
  const c = rt.config;
  return new Sweeper({
    sqs: rt.sqs,
    workQueueUrl: rt.queues.work,
    databases: async () => (await rt.router.databases()).map((d) => d.db),
    jobsOf: (t) => rt.jobsOf(t),
    now: opts.now ?? Date.now,
    redriveAfterMs:
      opts.staleQueuedMs ?? c.sweeper.redriveAfterMs ?? 2 * c.worker.visibilityTimeoutSeconds * 1000,
    maxAttempts: c.worker.maxAttempts,
    wakeGraceMs: opts.wakeGraceMs ?? 5_000,
    ...(opts.reviews ? { reviews: opts.reviews } : {}),
    intakeQueueUrl: async (tenant) => (await rt.queues.intake(tenant)).queueUrl,
    batchSize: 100,
    intervalMs: c.sweeper.intervalMs,
    log: rt.log.child({ component: "sweeper" }),
  });
}
