/**
 * Carries out the fault schedule (schedule.ts) against the live run: SIGKILL / SIGTERM through the
 * supervisor (which refills the slot), and the two service restarts. Before LocalStack is killed the
 * producer is paused and every queue is read without being consumed (queues.ts), so what dies with
 * LocalStack is known exactly; after it is back, the queues and bucket are provisioned again.
 * Kill events that come due while a restart is in progress run late, in order. Past `durationMs` the
 * phase ends at the first event after the producer has sent everything.
 */
import type { ServiceName } from "../../infra/stack/config.ts";
import type { Supervisor } from "./procs.ts";
import type { FaultEvent } from "./schedule.ts";

export interface FaultLogEntry {
  readonly kind: FaultEvent["kind"];
  readonly target: number;
  /** ms after the fault phase started, when it began and when it was over. */
  readonly startMs: number;
  readonly endMs: number;
  readonly done: boolean;
  readonly note?: string;
}

export interface FaultDeps {
  readonly supervisor: Supervisor;
  readonly killService: (s: ServiceName) => Promise<void>;
  readonly startService: (s: ServiceName) => Promise<void>;
  /** Runs right before LocalStack is killed (pause the producer, snapshot the queues). */
  readonly beforeLocalStackKill: () => Promise<void>;
  /** Runs once LocalStack answers again (provision, resume the producer). */
  readonly afterLocalStackStart: () => Promise<void>;
  readonly log: (msg: string) => void;
  /** Checked before each event past `durationMs`: true ends the fault phase (all messages sent). */
  readonly enough: () => boolean;
  readonly durationMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runFaults(
  events: readonly FaultEvent[],
  deps: FaultDeps,
  t0: number,
): Promise<FaultLogEntry[]> {
  const out: FaultLogEntry[] = [];
  const since = () => Date.now() - t0;
  for (const e of events) {
    if (e.atMs >= deps.durationMs && deps.enough()) break;
    const wait = e.atMs - since();
    if (wait > 0) await sleep(wait);
    const startMs = since();
    let done = true;
    let target = e.target;
    let note: string | undefined;
    const hit = (i: number | undefined) => {
      done = i !== undefined;
      target = i ?? e.target;
    };
    switch (e.kind) {
      case "kill-worker":
        hit(deps.supervisor.signal("worker", e.target, "SIGKILL"));
        break;
      case "kill-scheduler":
        hit(deps.supervisor.signal("scheduler", 0, "SIGKILL"));
        break;
      case "term-worker":
        // The one SIGTERM of the run must land: wait (a while) for a worker that is up.
        for (let i = 0; i < 30; i++) {
          hit(deps.supervisor.signal("worker", e.target, "SIGTERM"));
          if (done) break;
          await sleep(1_000);
        }
        break;
      case "restart-mongo":
        deps.log("fault: SIGKILL the MongoDB-wire server (h2 data file kept), start it again");
        await deps.killService("mongo");
        await sleep(1_000);
        await deps.startService("mongo");
        break;
      case "restart-localstack":
        deps.log("fault: snapshot the queues, SIGKILL LocalStack, start it again (empty)");
        await deps.beforeLocalStackKill();
        await deps.killService("localstack");
        await sleep(1_000);
        await deps.startService("localstack");
        await deps.afterLocalStackStart();
        break;
    }
    if (!done) note = "no live process to signal (all being replaced)";
    const endMs = since();
    out.push({ kind: e.kind, target, startMs, endMs, done, ...(note ? { note } : {}) });
    if (e.kind.startsWith("restart"))
      deps.log(`fault: ${e.kind} done in ${((endMs - startMs) / 1000).toFixed(1)} s`);
  }
  return out;
}
