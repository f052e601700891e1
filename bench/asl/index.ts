/**
 * `npm run bench -- asl`: Sluice's ASL engine against aws-local-stepfunctions 3.0.0, in one process
 * and one run, on the machines of machines.ts. For each machine and engine it prints transitions/s
 * (median of several rounds, with min/max spread), the ratio Sluice / reference (stepping only, and
 * with the full checkpoint text produced by serializeExecution after every step), and Sluice's
 * serialized checkpoint size; it ends with the line
 *   asl speed ratio vs aws-local-stepfunctions: chain Rc, map Rm
 * using the "with serialization" Sluice figures.
 *
 * Options: --quick (short rounds, for a smoke run), --rounds N, --round-ms N, --warmup-ms N,
 * --no-stringify (skip the plain JSON.stringify comparison variant),
 * --no-save (do not write bench/results/asl-<timestamp>.json).
 */
import { isDeepStrictEqual } from "node:util";
import { intOption, parseArgs } from "../lib/args.ts";
import { machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { measureInterleaved, type TimingOptions, type Work } from "../lib/timing.ts";
import { benchMachines, type BenchMachine } from "./machines.ts";
import { referenceRunner } from "./reference.ts";
import { printReport, type CheckpointRow, type EngineName, type Measurement } from "./report.ts";
import { sluiceRunner } from "./sluice.ts";

function timingOptions(argv: string[]): { timing: TimingOptions; save: boolean; compareStringify: boolean } {
  const args = parseArgs(argv, ["rounds", "round-ms", "warmup-ms"]);
  const quick = args.flags.has("quick");
  return {
    timing: {
      warmupMs: intOption(args, "warmup-ms", quick ? 100 : 500),
      rounds: intOption(args, "rounds", quick ? 3 : 7),
      roundMs: intOption(args, "round-ms", quick ? 100 : 400),
    },
    save: !args.flags.has("no-save"),
    compareStringify: !args.flags.has("no-stringify"),
  };
}

/** Wraps one execution as a unit of timed work worth `m.transitions`; sync work stays sync. */
function execution(m: BenchMachine, run: () => unknown): Work {
  const n = m.transitions;
  return () => {
    const r = run();
    return r instanceof Promise ? r.then(() => n) : n;
  };
}

/** Measures the engines on one machine, their rounds interleaved. */
async function measureMachine(
  m: BenchMachine,
  timing: TimingOptions,
  compareStringify: boolean,
): Promise<Measurement[]> {
  const sluice = sluiceRunner(m);
  const variants: { name: EngineName; work: Work }[] = [];
  if (m.reference) {
    const ref = referenceRunner(m);
    variants.push({ name: "aws-local-stepfunctions", work: execution(m, () => ref.run()) });
  }
  variants.push({ name: "sluice", work: execution(m, () => sluice.run("none")) });
  variants.push({ name: "sluice+serialize", work: execution(m, () => sluice.run("serializeExecution")) });
  if (compareStringify) {
    const work = execution(m, () => sluice.run("JSON.stringify"));
    variants.push({ name: "sluice+JSON.stringify", work });
  }
  progress(`${m.name}: warming up ${variants.map((v) => v.name).join(", ")}`);
  const results = await measureInterleaved(variants, timing, (i) =>
    progress(`${m.name}: round ${i}/${timing.rounds} (${variants.map((v) => v.name).join(", ")})`),
  );
  return variants.map((v) => ({
    machine: m.name,
    engine: v.name,
    transitionsPerExecution: m.transitions,
    ...results.get(v.name)!,
  }));
}

/**
 * Runs every engine once and checks they agree, so the comparison is apples to apples, and that
 * serializeExecution gives JSON.stringify's text after every step.
 */
async function checkOutputs(m: BenchMachine): Promise<string | undefined> {
  const runner = sluiceRunner(m);
  try {
    runner.checkSerialization();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const sluice = runner.run("none");
  if (!m.reference) return undefined;
  const reference = await referenceRunner(m).run();
  if (!isDeepStrictEqual(sluice.output, reference)) {
    return `machine '${m.name}': outputs differ\n  sluice:    ${JSON.stringify(sluice.output).slice(0, 300)}\n  reference: ${JSON.stringify(reference).slice(0, 300)}`;
  }
  return undefined;
}

export async function aslBench(argv: string[]): Promise<number> {
  const { timing, save, compareStringify } = timingOptions(argv);
  const info = machineInfo();
  const machines = benchMachines();
  for (const m of machines) {
    const problem = await checkOutputs(m);
    if (problem) {
      console.error(problem);
      return 1;
    }
  }

  const measurements: Measurement[] = [];
  const checkpoints: CheckpointRow[] = [];
  for (const m of machines) {
    measurements.push(...(await measureMachine(m, timing, compareStringify)));
    progress(`${m.name}: checkpoint sizes`);
    const { steps, stats } = sluiceRunner(m).checkpointSizes();
    checkpoints.push({
      machine: m.name,
      transitions: m.transitions,
      steps,
      meanBytes: stats.mean,
      maxBytes: stats.max,
      totalBytes: stats.total,
    });
  }

  const summary = printReport({ info, timing, machines, measurements, checkpoints });
  if (save) {
    const file = await writeResult("asl", {
      benchmark: "asl",
      date: new Date().toISOString(),
      machine: info,
      timing,
      machines: machines.map((m) => ({
        name: m.name,
        description: m.description,
        transitions: m.transitions,
      })),
      measurements,
      checkpoints,
      ratios: summary.ratios,
    });
    progress(`results written to ${file}`);
  }
  console.log(summary.finalLine);
  return 0;
}
