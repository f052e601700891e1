/**
 * One phase of the fairness benchmark on its own isolated namespace (queues, bucket, database):
 *
 * 1. provision the 20 tenants and write their quota documents (weights, caps, no rate limit);
 * 2. put the dumps where the phase takes work from (intake queues, or the shared work queue for FIFO);
 * 3. start the workers (in-process, each on a runtime of its own, with the usage settle hook and
 *    capacity heartbeats when a scheduler feeds them) and the fair scheduler (not for FIFO); t0 = now.
 *    Several replicas (`--schedulers N`) start before the workers instead, and the workers (and t0)
 *    wait until they have divided the tenants (a join's hand-over is not what this bench measures;
 *    see ADR 0029);
 * 4. trickle the quiet tenants' jobs at their planned times; at `edit.atMs` raise the capped tenant's
 *    cap in MongoDB as an operator would (`$set` + `updatedAt`, `$inc: { version: 1 }`);
 * 5. at t0 + duration stop everything and read back every job document (createdAt = release,
 *    startedAt = claim, finishedAt = end), joined with the producer's send times.
 */
import { randomUUID } from "node:crypto";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import { dividedEvenly } from "../../scheduler/shards/assign.ts";
import { SchedulerReplica } from "../tenants/replicas.ts";
import { createUsageSettleHook } from "../../shared/usage/settle-hook.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { createCapacityReporter, type CapacityReporter } from "../../workers/capacity-reporter.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { Worker } from "../../workers/worker.ts";
import { createIsolatedFleet, type IsolatedFleet } from "../lib/fleet.ts";
import { progress } from "../lib/progress.ts";
import type { JobRecord, PhaseRecord } from "./measure.ts";
import { createProducer, type Mode } from "./producer.ts";
import { totalSlots, withoutFlood, type Scenario } from "./scenario.ts";
import type { SleepWorkflow } from "./workflow.ts";

export type PhaseKind = "no-flood" | "fifo" | "sluice";

export interface PhaseRun {
  readonly record: PhaseRecord;
  /** Releases the scheduler itself counted (metrics), for a cross-check against the job documents. */
  readonly schedulerReleased: number | undefined;
  /** Scheduler ticks during the phase (phase length / ticks = mean tick period). */
  readonly schedulerTicks: number | undefined;
  readonly setupMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function writeQuotas(fleet: IsolatedFleet, s: Scenario): Promise<void> {
  const tenants = fleet.db.collection(COLLECTIONS.tenants);
  for (const t of s.tenants) {
    await tenants.updateOne(
      { tenantId: t.id },
      {
        $set: {
          status: "active",
          tier: "shared",
          weight: t.weight,
          maxConcurrency: t.maxConcurrency,
          minConcurrency: t.minConcurrency,
          rate: null,
          updatedAt: new Date(),
        },
        $inc: { version: 1 },
      },
    );
  }
}

interface RunningWorker {
  worker: Worker;
  reporter: CapacityReporter | undefined;
}

async function startWorkers(fleet: IsolatedFleet, s: Scenario, wf: SleepWorkflow, fed: boolean) {
  const out: RunningWorker[] = [];
  for (let i = 0; i < s.workers; i++) {
    const rt = await fleet.runtime();
    const owner = `bench-w${i}-${randomUUID().slice(0, 6)}`;
    const worker = createWorker(rt, {
      catalog: wf.catalog,
      steps: wf.steps,
      owner,
      ...(fed ? { onSettled: createUsageSettleHook(rt) } : {}),
    });
    const reporter = fed
      ? createCapacityReporter(rt, worker, { workerId: owner, slots: s.slotsPerWorker, intervalMs: 1_000 })
      : undefined;
    await reporter?.start();
    out.push({ worker, reporter });
  }
  for (const w of out) w.worker.start();
  return out;
}

/**
 * Waits until every tenant's lease is held, unexpired, by one of `s.schedulers` replicas, none with
 * more than its even share (rendezvous hashing with bounded loads, ADR 0024).
 */
async function ownershipSettled(fleet: IsolatedFleet, s: Scenario): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = Date.now();
    const leases = await fleet.db
      .collection(COLLECTIONS.schedulerLeases)
      .find({ kind: "tenant", owner: { $ne: null }, expiresAt: { $gt: now } })
      .toArray();
    const held = new Map(leases.map((l) => [String(l["tenantId"]), String(l["owner"])]));
    const owners = new Map(s.tenants.map((t) => [t.id as string, held.get(t.id) ?? null]));
    if (dividedEvenly(owners, s.schedulers)) return;
    if (now > deadline)
      throw new Error(`scheduler replicas did not divide the tenants: ${JSON.stringify([...owners])}`);
    await sleep(100);
  }
}

/** The environment of a replica process: the stack, this phase's namespace, the bench's step. */
function replicaEnv(
  fleet: IsolatedFleet,
  stackEnv: Readonly<Record<string, string | undefined>>,
  stepMs: number,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...stackEnv,
    LOG_LEVEL: "error",
    SLUICE_QUEUE_PREFIX: fleet.name,
    SLUICE_BUCKET: fleet.name,
    SLUICE_DB: fleet.name.replaceAll("-", "_"),
    BENCH_STEP_MS: String(stepMs),
    NODE_NO_WARNINGS: "1",
  };
}

export async function runPhase(
  kind: PhaseKind,
  base: Scenario,
  wf: SleepWorkflow,
  stackEnv: Readonly<Record<string, string | undefined>>,
): Promise<PhaseRun> {
  const s = kind === "no-flood" ? withoutFlood(base) : base;
  const setupStart = Date.now();
  const fleet = await createIsolatedFleet({
    label: kind,
    stackEnv,
    tenants: s.tenants.map((t) => t.id),
    settings: {
      SLUICE_WORKER_CONCURRENCY: String(s.slotsPerWorker),
      SLUICE_POLL_WAIT_SECONDS: "1",
      SLUICE_VISIBILITY_TIMEOUT_SECONDS: "60",
      SLUICE_LEASE_SECONDS: "60",
    },
  });
  let schedulers: FairScheduler[] = [];
  let replicas: SchedulerReplica[] = [];
  let workers: RunningWorker[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    await writeQuotas(fleet, s);
    const mode: Mode = kind === "fifo" ? "fifo" : "intake";
    const producer = createProducer(fleet.rt, s, wf.workflow, kind, mode);
    const dumps = s.tenants.reduce((n, t) => n + t.dump, 0);
    progress(`${kind}: enqueueing ${dumps.toLocaleString("en-US")} backlog jobs (${fleet.name})`);
    await producer.dumps();
    const setupMs = Date.now() - setupStart;

    if (kind !== "fifo" && s.schedulers === 1)
      schedulers.push(createFairScheduler(await fleet.runtime(), wf.catalog, { schedulerId: "bench-s0" }));
    if (kind !== "fifo" && s.schedulers > 1) {
      // Several replicas (--schedulers N) share the tenants through their leases (ADR 0024), each in a
      // process of its own as in production (`bench/tenants/scheduler-child.ts`, the production
      // createFairScheduler over the same namespace): in this process they would share the event
      // loop with the workers and slow their pickup, which a real deployment does not do.
      for (let i = 0; i < s.schedulers; i++)
        replicas.push(new SchedulerReplica(`bench-s${i}`, replicaEnv(fleet, stackEnv, s.stepMs)));
      // Replicas start one after another, so the first takes every tenant and hands half over at its
      // next round: that is a replica joining, not steady-state fairness (before long polls were let
      // go at a hand-over, it hid trickle messages for 10 s, ADR 0029). The replicas start before the
      // workers (no slot reported, so nothing is released) and the phase starts once they have divided
      // the tenants.
      for (const r of replicas) await r.started();
      await ownershipSettled(fleet, s);
      progress(`${kind}: ${s.schedulers} replicas own their tenants`);
    }
    workers = await startWorkers(fleet, s, wf, kind !== "fifo");
    if (schedulers.length === 1) await schedulers[0]!.start();
    const t0 = Date.now();
    const busy: { t: number; busy: number }[] = [];
    sampler = setInterval(
      () => busy.push({ t: Date.now(), busy: workers.reduce((n, w) => n + w.worker.busy, 0) }),
      20,
    );
    producer.startTrickles(t0);
    progress(`${kind}: running ${s.durationMs / 1000} s (${totalSlots(s)} slots, ${s.stepMs} ms steps)`);

    let edit: PhaseRecord["edit"];
    if (kind !== "fifo") {
      await sleep(t0 + s.edit.atMs - Date.now());
      const at = Date.now();
      await fleet.db
        .collection(COLLECTIONS.tenants)
        .updateOne(
          { tenantId: s.edit.tenant },
          { $set: { maxConcurrency: s.edit.toCap, updatedAt: new Date(at) }, $inc: { version: 1 } },
        );
      edit = { tenant: s.edit.tenant, at, fromCap: s.edit.fromCap, toCap: s.edit.toCap };
      progress(`${kind}: quota edit: ${s.edit.tenant} maxConcurrency ${s.edit.fromCap} → ${s.edit.toCap}`);
    }
    await sleep(t0 + s.durationMs - Date.now());
    const end = t0 + s.durationMs;
    busy.push({ t: Date.now(), busy: workers.reduce((n, w) => n + w.worker.busy, 0) });
    clearInterval(sampler);
    await producer.stop();
    for (const sc of schedulers) await sc.stop();
    const finals = await Promise.all(replicas.map((r) => r.stop()));
    if (finals.some((f) => f === undefined))
      throw new Error("a scheduler replica did not report at its stop");
    const reports = finals.filter((f) => f !== undefined);
    await Promise.allSettled(
      workers.map(async (w) => {
        await w.worker.stop(300);
        await w.reporter?.stop();
      }),
    );
    workers = [];

    const docs = await fleet.db
      .collection<JobDoc>(COLLECTIONS.jobs)
      .find({}, { projection: { tenantId: 1, idempotencyKey: 1, createdAt: 1, startedAt: 1, finishedAt: 1 } })
      .toArray();
    const byKey = new Map(docs.map((d) => [d.idempotencyKey, d]));
    const jobs: JobRecord[] = producer.sent.map((m) => {
      const d = byKey.get(m.key);
      // FIFO: the producer's send to the shared queue is the release.
      const releasedAt = kind === "fifo" ? m.sentAt : d?.createdAt;
      return {
        tenant: m.tenant,
        sentAt: m.sentAt,
        ...(d !== undefined && releasedAt !== undefined ? { releasedAt } : {}),
        ...(d?.startedAt != null ? { startedAt: d.startedAt } : {}),
        ...(d?.finishedAt != null ? { finishedAt: d.finishedAt } : {}),
      };
    });
    const record: PhaseRecord = {
      phase: kind,
      dequeue: kind === "fifo" ? "start" : "release",
      enforcesCaps: kind !== "fifo",
      slots: totalSlots(s),
      t0,
      windowStart: t0 + s.warmupMs,
      end,
      windowMs: s.windowMs,
      tailMs: s.tailMs,
      tenants: s.tenants.map((t) => ({ id: t.id, role: t.role, weight: t.weight, cap: t.maxConcurrency })),
      jobs,
      busy,
      ...(edit ? { edit } : {}),
    };
    // What the schedulers in this process and the replica processes counted (none in the FIFO phase).
    const counted = [
      ...schedulers.map((sc) => ({ released: sc.metrics.releasedTotal(), ticks: sc.metrics.ticks })),
      ...reports,
    ];
    const released = counted.length > 0 ? counted.reduce((n, c) => n + c.released, 0) : undefined;
    const ticks = counted.length > 0 ? counted.reduce((n, c) => n + c.ticks, 0) : undefined;
    return { record, schedulerReleased: released, schedulerTicks: ticks, setupMs };
  } finally {
    clearInterval(sampler);
    for (const sc of schedulers) await sc.stop().catch(() => undefined);
    schedulers = [];
    await Promise.allSettled(replicas.map((r) => r.stop()));
    replicas = [];
    await Promise.allSettled(workers.map((w) => w.worker.stop(300)));
    await Promise.allSettled(workers.map((w) => w.reporter?.stop()));
    await fleet.cleanup();
  }
}
