/** The text report of the ASL benchmark (stdout) and the ratios it ends with. */
import { formatInt, formatRate, formatRatio, formatTable } from "../lib/table.ts";
import { describeMachine, type MachineInfo } from "../lib/machine-info.ts";
import type { Throughput, TimingOptions } from "../lib/timing.ts";
import type { BenchMachine } from "./machines.ts";

export type EngineName = "aws-local-stepfunctions" | "sluice" | "sluice+serialize" | "sluice+JSON.stringify";

export interface Measurement extends Throughput {
  machine: string;
  engine: EngineName;
  transitionsPerExecution: number;
}

export interface CheckpointRow {
  machine: string;
  transitions: number;
  /** `step` calls per execution (each returns a checkpointable state). */
  steps: number;
  meanBytes: number;
  maxBytes: number;
  totalBytes: number;
}

export interface ReportInput {
  info: MachineInfo;
  timing: TimingOptions;
  machines: readonly BenchMachine[];
  measurements: readonly Measurement[];
  checkpoints: readonly CheckpointRow[];
}

/** Ratio Sluice / reference per machine, by Sluice variant. */
export type Ratios = Record<string, { sluice: number; sluiceSerialized: number }>;

function rateOf(ms: readonly Measurement[], machine: string, engine: EngineName): number | undefined {
  return ms.find((m) => m.machine === machine && m.engine === engine)?.rate.median;
}

export function computeRatios(ms: readonly Measurement[]): Ratios {
  const ratios: Ratios = {};
  for (const machine of new Set(ms.map((m) => m.machine))) {
    const ref = rateOf(ms, machine, "aws-local-stepfunctions");
    if (ref === undefined) continue;
    ratios[machine] = {
      sluice: (rateOf(ms, machine, "sluice") ?? Number.NaN) / ref,
      sluiceSerialized: (rateOf(ms, machine, "sluice+serialize") ?? Number.NaN) / ref,
    };
  }
  return ratios;
}

export function printReport(r: ReportInput): { ratios: Ratios; finalLine: string } {
  const ratios = computeRatios(r.measurements);
  const { timing } = r;
  const out: string[] = [
    "ASL speed: Sluice engine vs aws-local-stepfunctions 3.0.0 (one process, one run)",
    describeMachine(r.info),
    `timing: ${timing.warmupMs} ms warm-up, then ${timing.rounds} rounds of ≥ ${timing.roundMs} ms; ` +
      "transitions/s = median round (slowest/fastest round vs median)",
    "transition = one state entered (a Map counts 1 plus every state entered in its iterations)",
    "sluice = step() until the end, each step returning a new checkpointable state (steps/exec below)",
    "sluice+serialize = also the full checkpoint text of that state after every step, with serializeExecution " +
      "(the exact JSON.stringify text, assembled from cached texts of the parts shared with earlier states)",
    "sluice+JSON.stringify = the same text with plain JSON.stringify (for comparison)",
    "",
    "machines:",
    ...r.machines.map(
      (m) => `  ${m.name.padEnd(8)} ${m.description}; ${m.transitions} transitions/execution`,
    ),
    "",
  ];
  const rows = r.measurements.map((m) => {
    const ref = rateOf(r.measurements, m.machine, "aws-local-stepfunctions");
    const vs =
      m.engine === "aws-local-stepfunctions" ? "1.00" : ref ? formatRatio(m.rate.median / ref) : "n/a";
    return [m.machine, m.engine, formatRate(m.rate), formatInt(m.calls), `${formatInt(m.measuredMs)} ms`, vs];
  });
  out.push(
    formatTable(
      [
        { header: "machine" },
        { header: "engine" },
        { header: "transitions/s", align: "right" },
        { header: "executions", align: "right" },
        { header: "measured", align: "right" },
        { header: "vs ref", align: "right" },
      ],
      rows,
    ),
    "",
    "Sluice checkpoints (serialized execution state after every step, UTF-8 bytes):",
    formatTable(
      [
        { header: "machine" },
        { header: "steps/exec", align: "right" },
        { header: "mean bytes", align: "right" },
        { header: "max bytes", align: "right" },
        { header: "serialized bytes/transition", align: "right" },
      ],
      r.checkpoints.map((c) => [
        c.machine,
        formatInt(c.steps),
        formatInt(c.meanBytes),
        formatInt(c.maxBytes),
        formatInt(c.totalBytes / c.transitions),
      ]),
    ),
    "",
  );
  const plain = (machine: string): string => formatRatio(ratios[machine]?.sluice ?? Number.NaN);
  out.push(
    `(for reference, Sluice stepping without per-step serialization: chain ${plain("chain")}, map ${plain("map")})`,
  );
  console.log(out.join("\n"));
  const fmt = (machine: string): string => formatRatio(ratios[machine]?.sluiceSerialized ?? Number.NaN);
  return {
    ratios,
    finalLine: `asl speed ratio vs aws-local-stepfunctions: chain ${fmt("chain")}, map ${fmt("map")}`,
  };
}
