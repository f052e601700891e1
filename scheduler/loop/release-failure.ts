import type { BufferedMessage } from "./intake-buffer.ts";
import type { TenantLane } from "./intake-lanes.ts";
import type { ReleaseContext } from "./release-batch.ts";
import type { TenantQueues } from "../intake/release-message.ts";
import { afterReleaseFailure, describeError } from "../intake/failure-policy.ts";

/**
 * A release threw (its slot is already given back): count the failure on the buffered message and
 * either move the message behind the tenant's other buffered messages for a later tick, or — after
 * `MAX_UNEXPECTED_FAILURES` unexpected errors — move it to the DLQ with `internal: <error>`
 * (`intake/failure-policy.ts`). Never throws.
 */
export async function afterFailedRelease(
  ctx: Pick<ReleaseContext, "reject" | "log" | "metrics">,
  lane: TenantLane,
  entry: BufferedMessage,
  err: unknown,
): Promise<"error" | "rejected"> {
  const tenantId = lane.tenantId;
  const messageId = entry.message.messageId;
  const verdict = afterReleaseFailure(entry.failures, err);
  entry.failures = verdict.failures;
  const c = ctx.metrics.counters(tenantId);
  if (verdict.kind === "reject") {
    try {
      await ctx.reject(tenantId, lane.queues as TenantQueues, entry.message, verdict.reason);
      ctx.log.warn(
        { tenantId, messageId, reason: verdict.reason },
        "intake message rejected: its release kept failing",
      );
      c.rejected += 1;
      return "rejected";
    } catch (rejectErr) {
      ctx.log.error(
        { tenantId, messageId, failure: describeError(rejectErr) },
        "could not dead-letter a failing intake message; it stays buffered",
      );
    }
  } else {
    ctx.log.error(
      {
        tenantId,
        messageId,
        failures: verdict.failures,
        outage: verdict.outage,
        failure: describeError(err),
      },
      "release failed; the message is retried after the tenant's other buffered messages",
    );
  }
  c.errors += 1;
  lane.buffer.requeue(entry);
  return "error";
}
