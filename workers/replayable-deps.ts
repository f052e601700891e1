/**
 * Engine deps that make the first transitions of a new execution reproducible from the job document.
 *
 * A new execution starts from data the claim made durable: the job's input, its id and `startedAt`.
 * If the clock, random numbers and UUIDs it uses up to its first write are also derived from them,
 * those transitions (and the Task effects they issue: task ids, inputs, tokens, idempotency keys) are
 * a pure function of the stored document, so a worker that dies before writing anything is replaced
 * by one that issues exactly the same effects. That is what lets the runner dispatch the first tasks
 * of a job without a checkpoint first.
 *
 * - `now()` is `startedAt` (the claim's clock reading, a few ms earlier than the real one);
 * - `random()` and `uuid()` come from SHA-256 in counter mode over `<jobId>:<startedAt>`: distinct
 *   streams per job (no 32-bit seed collisions), the same stream on every replay.
 */
import { createHash } from "node:crypto";
import type { StepDeps } from "../shared/asl/index.ts";

export function replayableDeps(base: StepDeps, jobId: string, startedAt: number): StepDeps {
  const seed = `${jobId}:${startedAt}:`;
  let counter = 0;
  const block = (): Buffer =>
    createHash("sha256")
      .update(seed + String(counter++))
      .digest();
  const random = (): number => {
    const b = block();
    // 53 random bits: 21 from the first word, 32 from the second.
    return ((b.readUInt32BE(0) >>> 11) * 2 ** 32 + b.readUInt32BE(4)) / 2 ** 53;
  };
  const uuid = (): string => {
    const b = block().subarray(0, 16);
    b[6] = (b[6]! & 0x0f) | 0x40; // version 4
    b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
    const h = b.toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  return { ...base, now: () => startedAt, random, uuid };
}
