/**
 * `npm run chaos`: the whole fleet under faults. Starts its own local stack (h2 MongoDB backend, own
 * ports and state directory under .cache/chaos/), provisions three tenants with different caps,
 * runs a scheduler and three workers as child processes, sends `--jobs` jobs of the chaos workflow
 * (several Tasks, a Wait and a Map; every Task records its invocation) plus duplicates and garbage,
 * and meanwhile SIGKILLs workers and the scheduler at random every `--kill-every-s` seconds (each
 * replaced), SIGTERMs one worker, restarts the MongoDB-wire server once and LocalStack once. Samples
 * running counts against caps every second, waits for the drain, counts (verdict.ts), writes
 * `bench/results/chaos-<timestamp>.json` and ends with
 *   chaos: jobs J, lost L, duplicated D, double-committed C, cap-violations V, dlq-without-reason R, stuck S, drain-s T
 * Exit 1 if L, D, C, V or S is not 0 (or on errors), else 0.
 *
 * Options: --jobs N (1500), --seed N (1), --duration-s N (fault phase, at least; 90), --kill-every-s N (5), --no-save.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { intOption, parseArgs } from "../lib/args.ts";
import { describeMachine, machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { timestampForFile } from "../lib/results.ts";
import { runChaos, type ChaosOptions } from "./run.ts";

export const DEFAULTS = { jobs: 1500, seed: 1, durationS: 90, killEveryS: 8 } as const;

export function chaosOptions(argv: readonly string[]): ChaosOptions & { save: boolean } {
  const args = parseArgs(argv, ["jobs", "seed", "duration-s", "kill-every-s"]);
  const unknown = [...args.flags, ...args.values.keys()].filter(
    (k) => !["jobs", "seed", "duration-s", "kill-every-s", "no-save"].includes(k),
  );
  if (unknown.length > 0 || args.positional.length > 0) {
    throw new Error(`unknown option ${[...unknown.map((k) => `--${k}`), ...args.positional].join(" ")}`);
  }
  return {
    jobs: intOption(args, "jobs", DEFAULTS.jobs),
    seed: intOption(args, "seed", DEFAULTS.seed),
    durationMs: intOption(args, "duration-s", DEFAULTS.durationS) * 1000,
    killEveryMs: intOption(args, "kill-every-s", DEFAULTS.killEveryS) * 1000,
    save: !args.flags.has("no-save"),
  };
}

/** Earlier runs' state directories kept (logs, step records, data files: ~150 MB each). */
const KEEP_RUNS = 4;

/** Removes all but the newest `keep` run directories under `dir` (names sort by time). */
export function pruneRuns(dir: string, keep: number): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^run-\d{8}-\d{6}$/.test(n));
  } catch {
    return;
  }
  for (const n of names.sort().slice(0, Math.max(0, names.length - keep))) {
    rmSync(join(dir, n), { recursive: true, force: true });
  }
}

export const USAGE = `usage: npm run chaos -- [--jobs N (${DEFAULTS.jobs})] [--seed N (${DEFAULTS.seed})] [--duration-s N (${DEFAULTS.durationS})] [--kill-every-s N (${DEFAULTS.killEveryS})] [--no-save]`;

export async function chaosCommand(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let opts;
  try {
    opts = chaosOptions(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const info = machineInfo();
  progress(describeMachine(info));
  const runs = join(import.meta.dirname, "..", "..", ".cache", "chaos");
  pruneRuns(runs, KEEP_RUNS);
  const stateDir = join(runs, `run-${timestampForFile(new Date())}`);
  mkdirSync(stateDir, { recursive: true });
  return runChaos(opts, stateDir, info);
}
