/**
 * `npm run bench -- tenants`: many tenants, most of them idle, on the local stack (ADR 0023, 0024).
 *
 * Provisions N tenants (default 500: 490 idle, 10 busy) in an isolated namespace, runs in-process
 * workers (2 × 8 slots, a 500 ms sleep step, `workers.ts`) and the schedulers as child processes
 * (`scheduler-child.ts`: the production `createFairScheduler`, one process per replica) whose SQS
 * endpoint is a counting proxy (`test/support/sqs-request-counter.ts`: every request a scheduler
 * sends, whichever client, counted per queue and action on the wire). Then one phase per entry of
 * `--replicas` (default `1,2`: one scheduler, then a second replica joins it and they share the
 * tenants through their leases), each (`phase.ts`): settle, an idle window (`--idle-s`, 40 s: two
 * whole 20 s poll cycles) and a loaded window (`--duration-s`, 60 s) with the busy tenants above
 * capacity and a probe a second to a random idle tenant (`load.ts`). Per phase it prints requests
 * per idle tenant per second, pickup p50/p99 (send → release), scheduler CPU per second of wall time
 * (sum of the replica processes and per replica), decision time per tick (wall and CPU, and what the
 * slow decisions are made of: `decision-breakdown.ts`) and each busy tenant's share of the releases.
 *
 * Ends with `tenants: N tenants, idle-req-per-tenant-s R, idle-pickup-p99-ms P, scheduler-cpu-pct C,
 * decision-p99-ms D` where each figure is the WORSE of the phases (C: the idle window's CPU summed
 * over the phase's replicas); targets R ≤ 0.1, P ≤ 1000, C ≤ 15, D ≤ 5. Writes
 * bench/results/tenants-*.json. Options: --tenants N (500), --busy N (10), --duration-s N (60),
 * --idle-s N (40), --replicas 1,2, --quick (200 tenants, 20 s windows: a smoke test), --no-save.
 */
import { ensureStack } from "../../infra/stack/index.ts";
import type { StackEnv } from "../../infra/stack/config.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { intakeQueueName } from "../../shared/aws/queue-names.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { startSqsRequestCounter, type SqsRequestCounter } from "../../test/support/sqs-request-counter.ts";
import { createIsolatedFleet, type IsolatedFleet } from "../lib/fleet.ts";
import { describeMachine, machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { sleepWorkflow } from "../fairness/workflow.ts";
import { finalLine, misses, worstOf } from "./measure.ts";
import { shuffled, tenantsOptions } from "./options.ts";
import { runPhase, type BenchScope, type PhaseResult } from "./phase.ts";
import type { SchedulerReplica } from "./replicas.ts";
import { phaseJson, printPhase } from "./report.ts";
import type { Traffic } from "./load.ts";
import { SLOTS, STEP_MS, WORKERS, startWorkers, stopWorkers, type BenchWorker } from "./workers.ts";

export async function tenantsBench(argv: string[]): Promise<number> {
  const started = Date.now();
  const opts = tenantsOptions(argv);
  const info = machineInfo();
  progress(describeMachine(info));
  const stack = await ensureStack({});
  const names = Array.from({ length: opts.tenants }, (_, i) => `t-${String(i + 1).padStart(4, "0")}`);
  const busy = names.slice(0, opts.busy);
  const idle = names.slice(opts.busy);
  const weightOf = (i: number) => (i % 2 === 0 ? 1 : 2);
  let fleet: IsolatedFleet | undefined;
  let counter: SqsRequestCounter | undefined;
  const replicas: SchedulerReplica[] = [];
  let workers: BenchWorker[] = [];
  try {
    const env: StackEnv = { ...stack.env };
    const provisionStart = Date.now();
    progress(`provisioning ${opts.tenants} tenants`);
    fleet = await createIsolatedFleet({
      label: "tenants",
      stackEnv: { ...env },
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
    workers = await startWorkers(fleet, await sleepWorkflow(STEP_MS));
    counter = await startSqsRequestCounter(env.AWS_ENDPOINT_URL ?? fleet.config.aws.endpoint ?? "");
    const urls = new Map<string, string>();
    for (const t of names) urls.set(t, (await fleet.rt.queues.intake(tenantId(t))).queueUrl);
    const traffic: Traffic = { sqs: fleet.rt.sqs, urls, busy, order: shuffled(idle), next: 0, seq: 0 };
    const scope: BenchScope = {
      fleet,
      env,
      counter,
      tenants: opts.tenants,
      idle,
      busy,
      weightOf,
      queueOf: new Map(names.map((t) => [intakeQueueName(fleet!.name, tenantId(t)), t])),
      traffic,
      replicas,
      childEnv: {
        ...process.env,
        ...env,
        AWS_ENDPOINT_URL: counter.url,
        LOG_LEVEL: "error",
        SLUICE_QUEUE_PREFIX: fleet.name,
        SLUICE_BUCKET: fleet.name,
        SLUICE_DB: fleet.name.replaceAll("-", "_"),
        BENCH_STEP_MS: String(STEP_MS),
        NODE_NO_WARNINGS: "1",
      },
    };

    const phases: PhaseResult[] = [];
    for (const n of opts.replicas) phases.push(await runPhase(scope, n, opts));

    const headline = worstOf(
      opts.tenants,
      phases.map((p) => ({
        reqPerTenantS: p.idleWindow.reqPerIdleTenantS,
        pickupP99Ms: p.pickup.p99 ?? Infinity,
        cpuPct: p.idleWindow.cpuPct,
        decisionP99Ms: p.decisionP99Ms,
      })),
    );
    const elapsedS = (Date.now() - started) / 1000;
    console.log(
      `\ntenants benchmark: ${opts.tenants} tenants (${idle.length} idle, ${busy.length} busy), ${WORKERS}×${SLOTS} slots, ` +
        `${STEP_MS} ms steps; phases: ${opts.replicas.map((n) => (n === 1 ? "one scheduler" : `${n} replicas`)).join(", then ")}`,
    );
    console.log(
      `the final line gives, for each figure, the WORSE of the phases (R and C from the idle windows, C summed over a phase's replica processes; P and D from the loaded windows)`,
    );
    console.log(`provisioning ${opts.tenants} tenants: ${(provisionMs / 1000).toFixed(1)} s`);
    for (const p of phases) printPhase(p);
    console.log(`\n${describeMachine(info)}\nwhole benchmark: ${elapsedS.toFixed(0)} s`);
    const missed = misses(headline);
    if (missed.length > 0) console.log(`targets missed: ${missed.join("; ")}`);
    if (opts.save) {
      const file = await writeResult(opts.quick ? "tenants-quick" : "tenants", {
        benchmark: "tenants",
        date: new Date().toISOString(),
        machine: info,
        elapsedS,
        options: opts,
        provisionMs,
        phases: phases.map(phaseJson),
        headline: {
          ...headline,
          pickupP99Ms: Number.isFinite(headline.pickupP99Ms) ? headline.pickupP99Ms : null,
        },
        headlineIs: "worse of the phases",
        missed,
        finalLine: finalLine(headline),
      });
      progress(`results written to ${file}`);
    }
    console.log(finalLine(headline));
    return 0;
  } finally {
    await Promise.allSettled(replicas.map((c) => c.stop()));
    await stopWorkers(workers);
    await counter?.close();
    await fleet?.cleanup();
    if (stack.startedByUs) await stack.stop();
  }
}
