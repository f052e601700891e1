import { createFakeSqs } from "../../../support/sqs-fake.ts";
import type { OutgoingMessage, SqsPort } from "../../../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../../../shared/log/logger.ts";
import type { TenantId } from "../../../../shared/tenancy/tenant-id.ts";
import type { ReleaseOutcome, TenantQueues } from "../../../../scheduler/intake/release-message.ts";
import { FairScheduler } from "../../../../scheduler/loop/fair-scheduler.ts";
import type { FairSchedulerDeps, FairSchedulerOptions } from "../../../../scheduler/loop/fair-scheduler.ts";
import { StatsPublisher } from "../../../../scheduler/loop/stats-publisher.ts";
import type { TenantStatsDoc } from "../../../../scheduler/store/tenant-stats.ts";
import { resolveKey, type KeyRef } from "../../../../shared/aws/s3.ts";
import { createRejecter } from "../../../../scheduler/intake/reject.ts";
import { QuotaBook } from "../../../../scheduler/quota/book.ts";
import type { AcquireResult, UsageSnapshot } from "../../../../shared/usage/usage-store.ts";
import { quotaDoc, tid } from "../helpers.ts";

/**
 * An in-memory world for the release loop: the fake SQS on a manual clock, a quota book, usage
 * counters with the store's capped-acquire semantics, a fixed number of worker slots, and a release
 * function that deletes the intake message and records what it released.
 */
export async function loopHarness(
  tenants: readonly string[],
  options: Partial<FairSchedulerOptions> = {},
  /**
   * `wrapSqs`: what the scheduler sees of the fake SQS (e.g. a request counter, a slow queue);
   * `ownership`: which tenants this replica serves (absent: all of them).
   */
  hooks: { wrapSqs?: (sqs: SqsPort) => SqsPort; ownership?: FairSchedulerDeps["ownership"] } = {},
) {
  let clock = Date.parse("2026-03-01T12:00:00Z");
  const now = () => clock;
  const sqs: SqsPort = createFakeSqs({ now });
  const queues = new Map<string, TenantQueues>();
  for (const t of tenants) {
    const q = await sqs.ensureQueue(`intake-${t}`, { dlq: { maxReceiveCount: 5 } });
    queues.set(t, { queueUrl: q.url, queueName: q.name, dlqUrl: q.dlq?.url ?? "" });
  }
  const work = await sqs.ensureQueue("work");
  const book = new QuotaBook();
  /** Bodies too large for their dead-letter copy (the S3 side of a rejection), by key. */
  const stored = new Map<string, string>();
  const rejectedBodies = {
    bucket: "test-bucket",
    async put(t: TenantId, ref: KeyRef, body: unknown) {
      const key = resolveKey(t, ref);
      stored.set(key, String(body));
      return { key, etag: undefined, bucket: "test-bucket" };
    },
  };
  const running = new Map<TenantId, number>();
  const calls = {
    released: [] as { tenant: TenantId; body: string }[],
    refunds: [] as { tenant: TenantId; daily: boolean }[],
    ledger: [] as string[],
    /** Documents the scheduler published to `scheduler_stats`. */
    stats: [] as TenantStatsDoc[],
    /** The tenants of each `reconcileAll` call (maintenance). */
    reconciled: [] as TenantId[][],
  };
  let outcome: (body: string) => ReleaseOutcome = (body) => ({
    kind: "released",
    jobId: `job-${body}`,
    created: true,
    intakeDeleted: true,
  });
  let externalCap: number | undefined;
  const world = {
    liveSlots: 100,
    sqs,
    book,
    stored,
    running,
    calls,
    work: work.url,
    advance(ms: number) {
      clock += ms;
    },
    now,
    setQuota(t: string, overrides: Record<string, unknown> = {}) {
      const current = book.get(tid(t));
      const out = book.apply(quotaDoc(t, { version: (current?.version ?? 0) + 1, ...overrides }));
      if (out.kind !== "applied") throw new Error(`quota not applied: ${JSON.stringify(out)}`);
    },
    async send(t: string, body: string, message: Partial<OutgoingMessage> = {}) {
      await sqs.send(queues.get(t)!.queueUrl, { body, ...message });
    },
    queueUrl(t: string): string {
      return queues.get(t)!.queueUrl;
    },
    async depth(t: string) {
      return sqs.approximateDepth(queues.get(t)!.queueUrl);
    },
    async dlq(t: string) {
      return sqs.receive(queues.get(t)!.dlqUrl, { maxMessages: 10 });
    },
    onRelease(f: (body: string) => ReleaseOutcome) {
      outcome = f;
    },
    /** Another scheduler holds every slot: acquisitions fail at the store. */
    refuseAll(on: boolean) {
      externalCap = on ? 0 : undefined;
    },
    scheduler: undefined as unknown as FairScheduler,
  };
  const schedulerSqs = hooks.wrapSqs?.(sqs) ?? sqs;
  world.scheduler = new FairScheduler(
    {
      sqs: schedulerSqs,
      workQueueUrl: work.url,
      intakeQueues: async (t) => {
        const q = queues.get(t);
        if (!q) throw new Error(`no queue for ${t}`);
        return q;
      },
      quotas: { book },
      usage: {
        async tryAcquire(t, cap): Promise<AcquireResult> {
          const r = running.get(t) ?? 0;
          if (r >= (externalCap ?? cap)) return { ok: false, reason: "cap", running: r, releasedToday: 0 };
          running.set(t, r + 1);
          return { ok: true, running: r + 1, releasedToday: 0 };
        },
        async release(t, o) {
          running.set(t, Math.max(0, (running.get(t) ?? 0) - 1));
          calls.refunds.push({ tenant: t, daily: o?.refundDaily === true });
          return true;
        },
        async readAll() {
          const m = new Map<TenantId, UsageSnapshot>();
          for (const [t, r] of running)
            m.set(t, { tenantId: t, running: r, releasedToday: 0, parked: 0, version: 0 });
          return m;
        },
        async reconcileAll(ts) {
          calls.reconciled.push([...ts]);
          return new Map();
        },
      },
      capacity: {
        async view() {
          return {
            live: [{ workerId: "w", slots: world.liveSlots, busy: 0, at: clock }],
            stale: 0,
            invalid: 0,
            freeSlots: world.liveSlots,
          };
        },
      },
      ledger: {
        async recordAcquired(_t, jobId) {
          calls.ledger.push(jobId);
          return "held";
        },
      },
      release: async (t, q, m) => {
        const o = outcome(m.body);
        await sqs.delete(q.queueUrl, m.receiptHandle);
        if (o.kind === "released") calls.released.push({ tenant: t, body: m.body });
        return o;
      },
      reject: createRejecter({ sqs: schedulerSqs, blobs: rejectedBodies }),
      now,
      log: silentLogger(),
      ...(hooks.ownership !== undefined ? { ownership: hooks.ownership } : {}),
      stats: new StatsPublisher({
        schedulerId: "sched-1",
        store: { write: async (docs) => void calls.stats.push(...docs) },
        now,
        log: silentLogger(),
      }),
    },
    { intervalMs: 10, ...options },
  );
  return world;
}
