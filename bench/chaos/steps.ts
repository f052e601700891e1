/**
 * The chaos run's step: sleeps a short, random time (honouring the abort signal), appends its
 * invocation record (records.ts) to this process's record file, and returns a fresh token. Used by
 * every Task of `statemachines/chaos.asl.json`.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { StepRegistry } from "../../workers/steps/registry.ts";
import { TOKEN_PREFIX, tokensIn, type StepRecord } from "./records.ts";

export const CHAOS_STEP = "chaos-step";
export const CHAOS_WORKFLOW = "chaos";
export const CHAOS_STATEMACHINES_DIR = join(import.meta.dirname, "statemachines");

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function mapIndex(input: unknown): number | null {
  if (input === null || typeof input !== "object") return null;
  const index = (input as { index?: unknown }).index;
  return typeof index === "number" ? index : null;
}

/** The registry the chaos worker ships: only `chaos-step`, recording into `recordFile`. */
export function chaosSteps(recordFile: string, stepMs: { min: number; max: number }): StepRegistry {
  return new StepRegistry().register(CHAOS_STEP, async (input, ctx) => {
    const startedAt = Date.now();
    await sleep(stepMs.min + Math.random() * (stepMs.max - stepMs.min), ctx.signal);
    const token = `${TOKEN_PREFIX}${randomUUID()}`;
    const record: StepRecord = {
      key: ctx.idempotencyKey,
      job: ctx.jobId,
      tenant: ctx.tenantId,
      state: ctx.stateName,
      attempt: ctx.attempt,
      index: mapIndex(input),
      token,
      seen: tokensIn(input),
      pid: process.pid,
      startedAt,
      endedAt: Date.now(),
    };
    appendFileSync(recordFile, `${JSON.stringify(record)}\n`);
    return { token };
  });
}
