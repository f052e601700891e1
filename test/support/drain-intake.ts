/** Empties a tenant's intake queue (what a test or a replica left visible), deleting every message. */
import type { Runtime } from "../../shared/runtime/runtime.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export async function drainIntake(rt: Runtime, tenant: TenantId): Promise<void> {
  const { queueUrl } = await rt.queues.intake(tenant);
  for (let got = 1; got > 0;) {
    const batch = await rt.sqs.receive(queueUrl, { maxMessages: 10, waitSeconds: 0, visibilityTimeout: 60 });
    got = batch.length;
    for (const m of batch) await rt.sqs.delete(queueUrl, m.receiptHandle);
  }
}
