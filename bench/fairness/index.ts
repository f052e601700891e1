/**
 * `npm run bench -- fairness`: the whole pipeline (intake queues, fair scheduler, workers running a
 * one-Task workflow whose step sleeps a set time) against the local stack, 20 tenants with mixed
 * weights and caps, one flooding 10,000 jobs (see scenario.ts). Three phases in one invocation, each
 * on a fresh isolated namespace, run in the order b, c, a: (a) the same workload without the flood
 * (each quiet tenant's baseline), (b) FIFO: the same jobs through one shared queue read directly by
 * the workers, no scheduler, (c) Sluice with the flood, including a live quota edit. Prints the
 * report (report.ts), writes `bench/results/fairness-<timestamp>.json` and `.png` (plot.ts), and
 * ends with
 *   fairness: min-share S, jain J, quiet-p99-ratio Q, quiet-p99-ms P, idle-pct I, quota-apply-ms A
 *
 * Options: --duration-s N (60, per phase), --flood N (10000), --workers N (2), --slots N (8 per
 * worker), --step-ms N (400), --schedulers N (1: fair-scheduler replicas sharing the tenants through
 * their leases, ADR 0024, and the free slots through their claims, ADR 0029; with N > 1 each replica
 * is a process of its own, as in production, and each Sluice phase starts its clock once the replicas
 * have divided the tenants, see phase.ts; one scheduler runs in this process as always), --quick (20 s
 * phases, 2,000-job flood: a smoke run), --no-save.
 * Starts the local stack when AWS_ENDPOINT_URL / MONGO_URL are not set (and stops it after).
 * Exit code 0 whether or not targets are met (missed targets are printed); 1 on errors.
 */
import { writeFile } from "node:fs/promises";
import { ensureStack } from "../../infra/stack/index.ts";
import { intOption, parseArgs } from "../lib/args.ts";
import { describeMachine, machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { measurePhase, type PhaseFigures } from "./measure.ts";
import { runPhase, type PhaseRun } from "./phase.ts";
import { fairnessChart } from "./plot.ts";
import { checks, finalLine, headline, printReport } from "./report.ts";
import { buildScenario, DEFAULT_OPTIONS, type ScenarioOptions } from "./scenario.ts";
import { sleepWorkflow } from "./workflow.ts";

function options(argv: string[]): { scenario: ScenarioOptions; save: boolean } {
  const args = parseArgs(argv, ["duration-s", "flood", "workers", "slots", "step-ms", "seed", "schedulers"]);
  const quick = args.flags.has("quick");
  return {
    scenario: {
      ...DEFAULT_OPTIONS,
      durationMs: intOption(args, "duration-s", quick ? 20 : DEFAULT_OPTIONS.durationMs / 1000) * 1000,
      flood: intOption(args, "flood", quick ? 2000 : DEFAULT_OPTIONS.flood),
      workers: intOption(args, "workers", DEFAULT_OPTIONS.workers),
      slotsPerWorker: intOption(args, "slots", DEFAULT_OPTIONS.slotsPerWorker),
      stepMs: intOption(args, "step-ms", DEFAULT_OPTIONS.stepMs),
      seed: intOption(args, "seed", DEFAULT_OPTIONS.seed),
      schedulers: intOption(args, "schedulers", DEFAULT_OPTIONS.schedulers),
    },
    save: !args.flags.has("no-save"),
  };
}

/** Figures without the per-window arrays (those go to the chart; the JSON keeps a compact copy). */
function forJson(f: PhaseFigures, t0: number) {
  return {
    ...f,
    windows: f.windows.map((w) => ({
      startS: (w.start - t0) / 1000,
      dequeues: w.dequeues,
      ratios: w.ratios.map((r) => (Number.isFinite(r) ? Number(r.toFixed(4)) : null)),
      quietP99: w.quietP99 ?? null,
    })),
  };
}

export async function fairnessBench(argv: string[]): Promise<number> {
  const started = Date.now();
  const { scenario: opts, save } = options(argv);
  const s = buildScenario(opts);
  const wf = await sleepWorkflow(s.stepMs);
  const info = machineInfo();
  progress(describeMachine(info));
  progress("local stack: using AWS_ENDPOINT_URL / MONGO_URL or starting it");
  const stack = await ensureStack({});
  try {
    const env = { ...stack.env };
    // Run order fifo, sluice, no-flood: the first phase of a process runs on cold connections and JIT,
    // so the baseline goes last, where that can only make the quiet-p99-ratio worse, not better.
    const fifo = await runPhase("fifo", s, wf, env);
    const sluice = await runPhase("sluice", s, wf, env);
    const noFlood = await runPhase("no-flood", s, wf, env);
    const runs: Record<"noFlood" | "fifo" | "sluice", PhaseRun> = { noFlood, fifo, sluice };
    const figures = {
      noFlood: measurePhase(runs.noFlood.record),
      fifo: measurePhase(runs.fifo.record),
      sluice: measurePhase(runs.sluice.record),
    };
    printReport(s, figures);
    const h = headline(figures.sluice, figures.noFlood);
    const elapsedS = (Date.now() - started) / 1000;
    console.log(`\n${describeMachine(info)}\nwhole benchmark: ${elapsedS.toFixed(0)} s`);
    for (const [name, run] of Object.entries(runs)) {
      if (run.schedulerReleased === undefined || run.schedulerTicks === undefined) continue;
      const docs = run.record.jobs.filter((j) => j.releasedAt !== undefined).length;
      const period = s.durationMs / Math.max(1, run.schedulerTicks);
      console.log(
        `${name}: scheduler counted ${run.schedulerReleased} releases (job documents: ${docs}), ` +
          `${run.schedulerTicks} ticks (mean period ${period.toFixed(0)} ms)`,
      );
    }
    if (save) {
      const t0 = {
        sluice: runs.sluice.record.t0,
        noFlood: runs.noFlood.record.t0,
        fifo: runs.fifo.record.t0,
      };
      const file = await writeResult("fairness", {
        benchmark: "fairness",
        date: new Date().toISOString(),
        machine: info,
        elapsedS,
        scenario: s,
        headline: h,
        checks: checks(h),
        finalLine: finalLine(h),
        phases: {
          noFlood: forJson(figures.noFlood, t0.noFlood),
          fifo: forJson(figures.fifo, t0.fifo),
          sluice: forJson(figures.sluice, t0.sluice),
        },
        setupMs: { noFlood: runs.noFlood.setupMs, fifo: runs.fifo.setupMs, sluice: runs.sluice.setupMs },
      });
      const png = file.replace(/\.json$/, ".png");
      const edit = runs.sluice.record.edit;
      await writeFile(
        png,
        fairnessChart({
          ...figures,
          t0,
          durationMs: s.durationMs,
          editAtMs: edit === undefined ? undefined : edit.at - t0.sluice,
        }),
      );
      progress(`results written to ${file} and ${png}`);
    }
    console.log(finalLine(h));
    return 0;
  } finally {
    if (stack.startedByUs) {
      progress("stopping the local stack this run started");
      await stack.stop();
    }
  }
}
