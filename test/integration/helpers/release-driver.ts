/**
 * A quota-free release pass for tests of intake release itself: one receive (≤ 10) from each given
 * tenant's intake queue, each message through `releaseMessage` — the same function the fair
 * scheduler uses for every release. Tests drive it tick by tick, with no loop or timers.
 */
import type { Runtime } from "../../../shared/runtime/runtime.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { WorkflowCatalog } from "../../../shared/workflows/catalog.ts";
import { createRejecter } from "../../../scheduler/intake/reject.ts";
import { createWorkflowVersions } from "../../../shared/workflows/versions.ts";
import { releaseMessage } from "../../../scheduler/intake/release-message.ts";

export interface ReleaseCounts {
  released: number;
  rejected: number;
  duplicates: number;
}

export async function releaseTick(
  rt: Runtime,
  catalog: WorkflowCatalog,
  tenants: readonly TenantId[],
  waitSeconds = 0,
): Promise<ReleaseCounts> {
  const counts: ReleaseCounts = { released: 0, rejected: 0, duplicates: 0 };
  const workflows = createWorkflowVersions(rt, catalog);
  for (const tenant of tenants) {
    const queues = await rt.queues.intake(tenant);
    const deps = {
      sqs: rt.sqs,
      workQueueUrl: rt.queues.work,
      jobs: rt.jobsOf(tenant),
      reject: createRejecter({ sqs: rt.sqs, blobs: rt.blobs }),
      workflowVersion: (name: string) => workflows.current(name),
      now: Date.now,
      log: rt.log,
    };
    for (const m of await rt.sqs.receive(queues.queueUrl, { maxMessages: 10, waitSeconds })) {
      const outcome = await releaseMessage(deps, tenant, queues, m);
      if (outcome.kind === "released") counts.released += 1;
      else if (outcome.kind === "rejected") counts.rejected += 1;
      else counts.duplicates += 1;
    }
  }
  return counts;
}
