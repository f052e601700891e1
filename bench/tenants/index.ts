/**
 * `npm run bench -- tenants`: many tenants, most of them idle, on the local stack (ADR 0023).
 *
 * Provisions N tenants (default 500: 490 idle, 10 busy) in an isolated namespace, runs in-process
 * workers (2 × 8 slots, a 500 ms sleep step) and the scheduler as a child process of its own (the
 * production `createFairScheduler`, `scheduler-child.ts`) whose SQS endpoint is a counting proxy
 * (`test/support/sqs-request-counter.ts`: every request the scheduler sends, whichever client, counted
 * per queue and action on the wire). Per phase:
 *
 * 1. warm-up until the scheduler watches every idle tenant with a long poll;
 * 2. idle window (`--idle-s`, 40 s: two whole 20 s poll cycles): only idle tenants — SQS requests per idle tenant per second and
 *    the scheduler process's CPU per second of wall time (the C target is for this window);
 * 3. loaded window (`--duration-s`, 60 s): the 10 busy tenants (weights 1 and 2) get a steady load
 *    above the fleet's capacity (a backlog dumped first, then 4 messages/s each), and every second a
 *    message goes to a random idle tenant never probed before: pickup latency from the send to its
 *    release (the job document's createdAt), decision time per tick (p99), each busy tenant's share
 *    of the releases against its fair share, requests per idle tenant and CPU again.
 *
 * Phases: one scheduler; then two replicas when tenant sharding is on main (`--replicas 1,2`;
 * today only `1` is run: without ownership leases two replicas would each poll every tenant).
 * Ends with `tenants: N tenants, idle-req-per-tenant-s R, idle-pickup-p99-ms P, scheduler-cpu-pct C,
 * decision-p99-ms D` (targets R ≤ 0.1, P ≤ 1000, C ≤ 15, D ≤ 5). Writes bench/results/tenants-*.json.
 * Options: --tenants N (500), --busy N (10), --duration-s N (60), --idle-s N (40), --quick (200
 * tenants, 20 s windows), --no-save.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { ensureStack } from "../../infra/stack/index.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { intakeQueueName } from "../../shared/aws/queue-names.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { createUsageSettleHook } from "../../shared/usage/settle-hook.ts";
import { FleetCapacity } from "../../scheduler/store/capacity.ts";
import { CapacityReporter } from "../../workers/capacity-reporter.ts";
import { createWorker } from "../../workers/create-worker.ts";
import type { Worker } from "../../workers/worker.ts";
import { startSqsRequestCounter, type SqsRequestCounter } from "../../test/support/sqs-request-counter.ts";
import { intOption, parseArgs } from "../lib/args.ts";
import { createIsolatedFleet, type IsolatedFleet } from "../lib/fleet.ts";
import { describeMachine, machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { sleepWorkflow, WORKFLOW_NAME } from "../fairness/workflow.ts";
import type { ChildReport, ChildRequest } from "./scheduler-child.ts";
import { percentile } from "../../scheduler/fairshare/metrics.ts";
import { finalLine, misses, perTenantRate, pickup, shares, type Headline, type Probe } from "./measure.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const STEP_MS = 500;
const WORKERS = 2;
const SLOTS = 8;

interface Options {
  tenants: number;
  busy: number;
  durationMs: number;
  idleMs: number;
  save: boolean;
}

function options(argv: string[]): Options {
  const args = parseArgs(argv, ["tenants", "busy", "duration-s", "idle-s"]);
  const quick = args.flags.has("quick");
  return {
    tenants: intOption(args, "tenants", quick ? 200 : 500),
    busy: intOption(args, "busy", 10),
    durationMs: intOption(args, "duration-s", quick ? 20 : 60) * 1000,
    idleMs: intOption(args, "idle-s", quick ? 20 : 40) * 1000,
    save: !args.flags.has("no-save"),
  };
}

/** A deterministic shuffle (LCG), so runs probe the same tenants in the same order. */
function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

class SchedulerChild {
  readonly #child: ChildProcess;
  constructor(env: NodeJS.ProcessEnv) {
    this.#child = fork(join(import.meta.dirname, "scheduler-child.ts"), [], {
      execArgv: ["--import", "tsx"],
      env,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }
  async #ask<T>(req: ChildRequest | undefined, kind: string): Promise<T> {
    const reply = new Promise<T>((resolve, reject) => {
      const onMessage = (m: { kind: string }) => {
        if (m.kind !== kind) return;
        this.#child.off("message", onMessage);
        resolve(m as T);
      };
      this.#child.on("message", onMessage);
      this.#child.once("exit", (code) => reject(new Error(`scheduler process exited (${code})`)));
    });
    if (req !== undefined) this.#child.send(req);
    return reply;
  }
  started(): Promise<unknown> {
    return this.#ask(undefined, "started");
  }
  reset(): Promise<unknown> {
    return this.#ask({ kind: "reset" }, "reset");
  }
  report(): Promise<ChildReport> {
    return this.#ask({ kind: "report" }, "report");
  }
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, "exit");
    this.#child.send({ kind: "stop" });
    await Promise.race([exited, sleep(20_000)]);
    if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
  }
}

interface WindowFigures {
  readonly ms: number;
  readonly idleRequests: number;
  readonly idleTenants: number;
  readonly reqPerIdleTenantS: number;
  /** Requests to probed tenants' queues in the window (they were busy for a moment). */
  readonly probedRequests: number;
  readonly otherRequests: number;
  readonly requestsByAction: Record<string, number>;
  readonly cpuPct: number;
}

async function startWorkers(fleet: IsolatedFleet, wf: Awaited<ReturnType<typeof sleepWorkflow>>) {
  const out: { worker: Worker; reporter: CapacityReporter }[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const rt = await fleet.runtime();
    const owner = `bench-tenants-w${i}`;
    const worker = createWorker(rt, {
      catalog: wf.catalog,
      steps: wf.steps,
      owner,
      onSettled: createUsageSettleHook(rt),
    });
    const reporter = new CapacityReporter({
      capacity: new FleetCapacity(rt.fleetDb),
      workerId: owner,
      slots: SLOTS,
      busy: () => worker.busy,
      now: Date.now,
      log: rt.log,
      intervalMs: 1_000,
    });
    await reporter.start();
    worker.start();
    out.push({ worker, reporter });
  }
  return out;
}

const body = (t: string, key: string) =>
  JSON.stringify({ tenantId: t, workflow: WORKFLOW_NAME, idempotencyKey: key, input: {} });

export async function tenantsBench(argv: string[]): Promise<number> {
  const started = Date.now();
  const opts = options(argv);
  const info = machineInfo();
  progress(describeMachine(info));
  const stack = await ensureStack({});
  const names = Array.from({ length: opts.tenants }, (_, i) => `t-${String(i + 1).padStart(4, "0")}`);
  const busy = names.slice(0, opts.busy);
  const idle = names.slice(opts.busy);
  const weightOf = (i: number) => (i % 2 === 0 ? 1 : 2);
  let fleet: IsolatedFleet | undefined;
  let counter: SqsRequestCounter | undefined;
  let children: SchedulerChild[] = [];
  let workers: Awaited<ReturnType<typeof startWorkers>> = [];
  const stopProducers: (() => void)[] = [];
  try {
    const env = { ...stack.env };
    const provisionStart = Date.now();
    progress(`provisioning ${opts.tenants} tenants`);
    fleet = await createIsolatedFleet({
      label: "tenants",
      stackEnv: env,
      tenants: names.map((n) => tenantId(n)),
      settings: { SLUICE_WORKER_CONCURRENCY: String(SLOTS), SLUICE_POLL_WAIT_SECONDS: "1" },
    });
    const provisionMs = Date.now() - provisionStart;
    progress(`provisioned in ${(provisionMs / 1000).toFixed(1)} s (${fleet.name})`);
    const tenantsColl = fleet.db.collection(COLLECTIONS.tenants);
    for (const [i, t] of busy.entries()) {
      await tenantsColl.updateOne(
        { tenantId: t },
        {
          $set: { weight: weightOf(i), maxConcurrency: 16, rate: null, updatedAt: new Date() },
          $inc: { version: 1 },
        },
      );
    }
    const wf = await sleepWorkflow(STEP_MS);
    workers = await startWorkers(fleet, wf);
    counter = await startSqsRequestCounter(env.AWS_ENDPOINT_URL ?? fleet.config.aws.endpoint ?? "");
    const queueOf = new Map(names.map((t) => [intakeQueueName(fleet!.name, tenantId(t)), t]));
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...env,
      AWS_ENDPOINT_URL: counter.url,
      LOG_LEVEL: "error",
      SLUICE_QUEUE_PREFIX: fleet.name,
      SLUICE_BUCKET: fleet.name,
      SLUICE_DB: fleet.name.replaceAll("-", "_"),
      BENCH_STEP_MS: String(STEP_MS),
      NODE_NO_WARNINGS: "1",
    };

    // Phase: one scheduler (the two-replica phase joins when ownership leases are on main).
    const replicas = 1;
    children = Array.from({ length: replicas }, () => new SchedulerChild(childEnv));
    await Promise.all(children.map((c) => c.started()));
    progress(`phase 1 (${replicas} scheduler): warming up until every idle tenant is long-polled`);
    const warmEnd = Date.now() + 90_000;
    for (;;) {
      const r = await Promise.all(children.map((c) => c.report()));
      const watching = r.reduce((n, x) => n + x.intake.watching, 0);
      if (watching >= idle.length + busy.length || Date.now() > warmEnd) break;
      await sleep(1_000);
    }

    const cpu = async () =>
      (await Promise.all(children.map((c) => c.report()))).reduce((s, r) => s + r.cpuMicros, 0);
    const measureWindow = async (ms: number, probed: Set<string>, during?: () => Promise<void>) => {
      const c0 = await cpu();
      const from = Date.now();
      await (during?.() ?? sleep(ms));
      const to = Date.now();
      const c1 = await cpu();
      const reqs = counter!.since(from).filter((r) => r.at <= to);
      const byAction: Record<string, number> = {};
      let idleRequests = 0;
      let probedRequests = 0;
      const busySet = new Set(busy);
      for (const r of reqs) {
        byAction[r.action] = (byAction[r.action] ?? 0) + 1;
        const t = r.queue === undefined ? undefined : queueOf.get(r.queue);
        if (t === undefined || busySet.has(t)) continue;
        if (probed.has(t)) probedRequests += 1;
        else idleRequests += 1;
      }
      const idleTenants = idle.length - probed.size;
      const figures: WindowFigures = {
        ms: to - from,
        idleRequests,
        idleTenants,
        reqPerIdleTenantS: perTenantRate(idleRequests, idleTenants, to - from),
        probedRequests,
        otherRequests: reqs.length - idleRequests - probedRequests,
        requestsByAction: byAction,
        cpuPct: ((c1 - c0) / 1000 / (to - from)) * 100,
      };
      return { from, to, figures };
    };

    progress(`idle window: ${opts.idleMs / 1000} s with only idle tenants`);
    const idleWindow = await measureWindow(opts.idleMs, new Set());

    progress(`loaded window: ${opts.durationMs / 1000} s, ${busy.length} busy tenants + a probe a second`);
    const sqs = fleet.rt.sqs;
    const urls = new Map<string, string>();
    for (const t of names) urls.set(t, (await fleet.rt.queues.intake(tenantId(t))).queueUrl);
    let seq = 0;
    await Promise.all(
      busy.map((t) =>
        sqs.sendBatch(
          urls.get(t) ?? "",
          Array.from({ length: 100 }, () => ({ body: body(t, `d-${(seq += 1)}`) })),
        ),
      ),
    );
    let producing = true;
    stopProducers.push(() => (producing = false));
    const producer = (async () => {
      while (producing) {
        await Promise.all(
          busy.map((t) =>
            sqs.sendBatch(urls.get(t) ?? "", [
              { body: body(t, `s-${(seq += 1)}`) },
              { body: body(t, `s-${(seq += 1)}`) },
            ]),
          ),
        );
        await sleep(500);
      }
    })();
    await Promise.all(children.map((c) => c.reset()));
    const order = shuffled(idle);
    const probes: Probe[] = [];
    const probed = new Set<string>();
    const loaded = await measureWindow(opts.durationMs, probed, async () => {
      const end = Date.now() + opts.durationMs;
      for (let i = 0; Date.now() < end - 2_000 && i < order.length; i++) {
        const t = order[i] as string;
        probed.add(t);
        const sentAt = Date.now();
        const { messageId } = await sqs.send(urls.get(t) ?? "", { body: body(t, `probe-${i}`) });
        probes.push({ tenant: t, sentAt, messageId });
        await sleep(sentAt + 1_000 - Date.now());
      }
      await sleep(end - Date.now());
    });
    const reports = await Promise.all(children.map((c) => c.report()));
    producing = false;
    await producer;

    // Releases: the job documents' createdAt (the release time) by idempotency key.
    await sleep(1_500); // the last probe's release
    const docs = await fleet.db
      .collection<JobDoc>(COLLECTIONS.jobs)
      .find({}, { projection: { tenantId: 1, idempotencyKey: 1, createdAt: 1 } })
      .toArray();
    const byKey = new Map(docs.map((d) => [`${d.tenantId}/${d.idempotencyKey}`, d]));
    const probeResults: Probe[] = probes.map((p, i) => {
      const d = byKey.get(`${p.tenant}/probe-${i}`);
      const carrier = counter?.requests.find(
        (r) => p.messageId !== undefined && r.messageIds?.includes(p.messageId),
      );
      return {
        ...p,
        ...(d?.createdAt !== undefined ? { releasedAt: new Date(d.createdAt).getTime() } : {}),
        ...(carrier?.answeredAt !== undefined
          ? { carriedAt: carrier.answeredAt, carrierWaitSeconds: carrier.waitSeconds }
          : {}),
      };
    });
    const pick = pickup(probeResults);
    const carried = probeResults.flatMap((p) => (p.carriedAt === undefined ? [] : [p.carriedAt - p.sentAt]));
    const afterCarry = probeResults.flatMap((p) =>
      p.carriedAt === undefined || p.releasedAt === undefined ? [] : [p.releasedAt - p.carriedAt],
    );
    const byLongPoll = probeResults.filter((p) => (p.carrierWaitSeconds ?? 0) > 0).length;
    const busyReleased = busy.map((t, i) => ({
      tenant: t,
      weight: weightOf(i),
      released: docs.filter((d) => {
        const at = d.createdAt === undefined ? NaN : new Date(d.createdAt).getTime();
        return d.tenantId === t && at >= loaded.from && at <= loaded.to;
      }).length,
    }));
    const slotShares = shares(busyReleased);
    const decisionP99 = Math.max(...reports.map((r) => r.decision.p99Ms ?? 0));
    const decisionCount = reports.reduce((n, r) => n + r.decision.count, 0);

    const headline: Headline = {
      tenants: opts.tenants,
      reqPerTenantS: idleWindow.figures.reqPerIdleTenantS,
      pickupP99Ms: pick.p99 ?? Infinity,
      cpuPct: idleWindow.figures.cpuPct,
      decisionP99Ms: decisionP99,
    };
    const elapsedS = (Date.now() - started) / 1000;
    const w = (f: WindowFigures) =>
      `${(f.ms / 1000).toFixed(1)} s: ${f.idleRequests} requests to ${f.idleTenants} idle tenants' queues ` +
      `= ${f.reqPerIdleTenantS.toFixed(3)} req/s per idle tenant; probed tenants ${f.probedRequests}, ` +
      `other ${f.otherRequests} (${Object.entries(f.requestsByAction)
        .map(([a, n]) => `${a} ${n}`)
        .join(", ")}); scheduler CPU ${f.cpuPct.toFixed(1)} % of a core`;
    console.log(
      `\ntenants benchmark: ${opts.tenants} tenants (${idle.length} idle, ${busy.length} busy), ${WORKERS}×${SLOTS} slots, ${STEP_MS} ms steps`,
    );
    console.log(`provisioning ${opts.tenants} tenants: ${(provisionMs / 1000).toFixed(1)} s`);
    console.log(`phase 1, one scheduler`);
    console.log(`  idle window   ${w(idleWindow.figures)}`);
    console.log(`  loaded window ${w(loaded.figures)}`);
    console.log(
      `  idle pickup (send → release), ${pick.released}/${pick.n} probes released: p50 ${pick.p50?.toFixed(0) ?? "-"} ms, ` +
        `p99 ${Number.isFinite(pick.p99 ?? NaN) ? (pick.p99 ?? 0).toFixed(0) : "inf"} ms, max ${pick.max?.toFixed(0) ?? "-"} ms`,
    );
    console.log(
      `    of which send → the scheduler's receive answered: p50 ${percentile(carried, 50)?.toFixed(0) ?? "-"} ms, ` +
        `p99 ${percentile(carried, 99)?.toFixed(0) ?? "-"} ms (${byLongPoll}/${probes.length} carried by a long poll); ` +
        `answered → released: p50 ${percentile(afterCarry, 50)?.toFixed(0) ?? "-"} ms, p99 ${percentile(afterCarry, 99)?.toFixed(0) ?? "-"} ms`,
    );
    console.log(
      `  decision time per tick: p50 ${reports[0]?.decision.p50Ms?.toFixed(3) ?? "-"} ms, p99 ${decisionP99.toFixed(3)} ms, ` +
        `max ${Math.max(...reports.map((r) => r.decision.maxMs)).toFixed(3)} ms over ${decisionCount} ticks`,
    );
    for (const r of reports)
      console.log(
        `  ticks: ${r.tick.count}, duration p50 ${r.tick.p50Ms?.toFixed(0) ?? "-"} ms, p99 ${r.tick.p99Ms?.toFixed(0) ?? "-"} ms ` +
          `(reads and intake I/O mean ${r.tick.readMeanMs?.toFixed(0) ?? "-"} ms, releases mean ${r.tick.releaseMeanMs?.toFixed(0) ?? "-"} ms)`,
      );
    console.log(`  busy tenants' share of releases (loaded window) vs fair share by weight:`);
    for (const s of slotShares)
      console.log(
        `    ${s.tenant} w${s.weight}: ${s.released} released, share ${(s.share * 100).toFixed(1)} % ` +
          `(fair ${(s.fairShare * 100).toFixed(1)} %, ratio ${(s.fairShare === 0 ? 0 : s.share / s.fairShare).toFixed(2)})`,
      );
    console.log(
      `phase 2, two replicas: not run — tenant sharding (ownership leases) is not on main yet; without it two replicas would each long-poll every tenant`,
    );
    console.log(`\n${describeMachine(info)}\nwhole benchmark: ${elapsedS.toFixed(0)} s`);
    const missed = misses(headline);
    if (missed.length > 0) console.log(`targets missed: ${missed.join("; ")}`);
    if (opts.save) {
      const file = await writeResult("tenants", {
        benchmark: "tenants",
        date: new Date().toISOString(),
        machine: info,
        elapsedS,
        options: opts,
        provisionMs,
        phases: [
          {
            replicas,
            idleWindow: idleWindow.figures,
            loadedWindow: loaded.figures,
            pickup: { ...pick, p99: Number.isFinite(pick.p99 ?? NaN) ? pick.p99 : null },
            pickupSplit: {
              carriedP50: percentile(carried, 50) ?? null,
              carriedP99: percentile(carried, 99) ?? null,
              releasedAfterCarryP50: percentile(afterCarry, 50) ?? null,
              releasedAfterCarryP99: percentile(afterCarry, 99) ?? null,
              byLongPoll,
            },
            probes: probeResults,
            decision: reports.map((r) => r.decision),
            ticks: reports.map((r) => r.tick),
            intake: reports.map((r) => r.intake),
            shares: slotShares,
          },
        ],
        headline: {
          ...headline,
          pickupP99Ms: Number.isFinite(headline.pickupP99Ms) ? headline.pickupP99Ms : null,
        },
        missed,
        finalLine: finalLine(headline),
      });
      progress(`results written to ${file}`);
    }
    console.log(finalLine(headline));
    return 0;
  } finally {
    for (const s of stopProducers) s();
    await Promise.allSettled(children.map((c) => c.stop()));
    await Promise.allSettled(workers.map((w) => w.worker.stop(300)));
    await Promise.allSettled(workers.map((w) => w.reporter.stop()));
    await counter?.close();
    await fleet?.cleanup();
    if (stack.startedByUs) await stack.stop();
  }
}
