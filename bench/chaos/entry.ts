/**
 * Child process entry of the chaos run: `node --import tsx bench/chaos/entry.ts worker|scheduler`.
 * Runs the real worker / scheduler main (workers/main.ts, scheduler/main.ts) with the chaos build:
 * the `chaos-step` step (recording into CHAOS_RECORD_FILE) and the chaos workflow directory.
 */
import { main as schedulerMain } from "../../scheduler/main.ts";
import { main as workerMain, type WorkerBuild } from "../../workers/main.ts";
import { CHAOS_STATEMACHINES_DIR, chaosSteps } from "./steps.ts";

function build(): WorkerBuild {
  const file = process.env.CHAOS_RECORD_FILE;
  if (!file) throw new Error("CHAOS_RECORD_FILE is not set");
  return { steps: chaosSteps(file, { min: 10, max: 60 }), statemachinesDir: CHAOS_STATEMACHINES_DIR };
}

const [role, ...rest] = process.argv.slice(2);
const started =
  role === "worker"
    ? workerMain(rest, build())
    : role === "scheduler"
      ? schedulerMain([], { stepNames: build().steps.names(), statemachinesDir: CHAOS_STATEMACHINES_DIR })
      : undefined;
if (started === undefined) {
  process.stderr.write(`usage: entry.ts worker|scheduler (got ${role ?? "nothing"})\n`);
  process.exit(2);
}
started.catch((err: unknown) => {
  process.stderr.write(
    `${role} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
