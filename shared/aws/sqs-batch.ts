import type { BatchResultErrorEntry } from "@aws-sdk/client-sqs";
import { codeForAwsName, isRetryableCode } from "./errors.ts";
import type { BatchFailure, BatchResult } from "./sqs-port.ts";

function failure(index: number, e: BatchResultErrorEntry): BatchFailure {
  const awsCode = e.Code ?? "Unknown";
  return {
    index,
    code: codeForAwsName(awsCode),
    awsCode,
    message: e.Message ?? awsCode,
    senderFault: e.SenderFault ?? false,
  };
}

/**
 * Runs batch requests of ≤10 entries; entries that failed with a retryable code (throttling, service
 * trouble) and not by the sender's fault are retried once. `run` gets `[Id, entry]` pairs, Id = the entry's index in the caller's array.
 */
export async function batched<E, S extends { index: number }>(
  chunks: { index: number; entry: E }[][],
  run: (
    chunk: { index: number; entry: E }[],
  ) => Promise<{ ok: { Id: string; result: S }[]; failed: BatchResultErrorEntry[] }>,
): Promise<BatchResult<S>> {
  const successful: S[] = [];
  const failed: BatchFailure[] = [];
  for (const chunk of chunks) {
    let pending = chunk;
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
      const res = await run(pending);
      successful.push(...res.ok.map((o) => o.result));
      const byId = new Map(pending.map((p) => [String(p.index), p]));
      const retry: typeof pending = [];
      for (const f of res.failed) {
        const entry = byId.get(f.Id ?? "");
        if (!entry) continue;
        if (attempt === 0 && !f.SenderFault && isRetryableCode(codeForAwsName(f.Code))) retry.push(entry);
        else failed.push(failure(entry.index, f));
      }
      pending = retry;
    }
  }
  successful.sort((a, b) => a.index - b.index);
  failed.sort((a, b) => a.index - b.index);
  return { successful, failed };
}
