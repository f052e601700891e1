/**
 * The loaded window's traffic and what became of it: the busy tenants' load (a backlog dumped first,
 * then 2 messages every 500 ms each: above the fleet's capacity), a probe a second to an idle tenant
 * never probed before, and afterwards the releases read back from the job documents (createdAt is
 * the release time) and the receive that carried each probe (seen by the counting proxy).
 */
import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { SqsRequestCounter } from "../../test/support/sqs-request-counter.ts";
import type { IsolatedFleet } from "../lib/fleet.ts";
import { sqsClient } from "../chaos/queues.ts";
import type { StackEnv } from "../../infra/stack/config.ts";
import { WORKFLOW_NAME } from "../fairness/workflow.ts";
import type { Probe } from "./measure.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export const body = (t: string, key: string) =>
  JSON.stringify({ tenantId: t, workflow: WORKFLOW_NAME, idempotencyKey: key, input: {} });

export interface Traffic {
  readonly sqs: SqsPort;
  /** Tenant → intake queue URL. */
  readonly urls: ReadonlyMap<string, string>;
  readonly busy: readonly string[];
  /** Idle tenants in probe order; `next` is the first not yet probed (shared by the phases). */
  readonly order: readonly string[];
  next: number;
  seq: number;
}

/** Dumps `backlog` messages per busy tenant, then keeps 4/s each coming until the returned stop(). */
export async function startBusyLoad(tr: Traffic, backlog = 100): Promise<() => Promise<void>> {
  await Promise.all(
    tr.busy.map((t) =>
      tr.sqs.sendBatch(
        tr.urls.get(t) ?? "",
        Array.from({ length: backlog }, () => ({ body: body(t, `d-${(tr.seq += 1)}`) })),
      ),
    ),
  );
  let producing = true;
  const producer = (async () => {
    while (producing) {
      await Promise.all(
        tr.busy.map((t) =>
          tr.sqs.sendBatch(tr.urls.get(t) ?? "", [
            { body: body(t, `s-${(tr.seq += 1)}`) },
            { body: body(t, `s-${(tr.seq += 1)}`) },
          ]),
        ),
      );
      await sleep(500);
    }
  })();
  return async () => {
    producing = false;
    await producer;
  };
}

/** A probe a second to the next unprobed idle tenant until 2 s before `ms` is up, then waits it out. */
export async function probeIdle(
  tr: Traffic,
  ms: number,
  probed: Set<string>,
  probes: Probe[],
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end - 2_000 && tr.next < tr.order.length) {
    const i = tr.next++;
    const t = tr.order[i] as string;
    probed.add(t);
    const sentAt = Date.now();
    const { messageId } = await tr.sqs.send(tr.urls.get(t) ?? "", { body: body(t, `probe-${i}`) });
    probes.push({ tenant: t, sentAt, messageId, key: `probe-${i}` });
    await sleep(sentAt + 1_000 - Date.now());
  }
  await sleep(end - Date.now());
}

/** Releases since `from` (job documents), by `tenant/idempotencyKey`. */
export async function releasesSince(
  fleet: IsolatedFleet,
  from: number,
): Promise<Pick<JobDoc, "tenantId" | "idempotencyKey" | "createdAt">[]> {
  return fleet.db
    .collection<JobDoc>(COLLECTIONS.jobs)
    .find({ createdAt: { $gte: from } }, { projection: { tenantId: 1, idempotencyKey: 1, createdAt: 1 } })
    .toArray();
}

/** Each probe with its release time and the receive that carried it. */
export function resolveProbes(
  probes: readonly Probe[],
  docs: readonly Pick<JobDoc, "tenantId" | "idempotencyKey" | "createdAt">[],
  counter: SqsRequestCounter,
): Probe[] {
  const byKey = new Map(docs.map((d) => [`${d.tenantId}/${d.idempotencyKey}`, d]));
  return probes.map((p) => {
    const d = byKey.get(`${p.tenant}/${p.key}`);
    const carrier = counter.requests.find(
      (r) => p.messageId !== undefined && r.messageIds?.includes(p.messageId),
    );
    return {
      ...p,
      ...(d?.createdAt !== undefined ? { releasedAt: new Date(d.createdAt).getTime() } : {}),
      ...(carrier?.answeredAt !== undefined
        ? { carriedAt: carrier.answeredAt, carrierWaitSeconds: carrier.waitSeconds }
        : {}),
    };
  });
}

/** Empties the busy tenants' intake queues (between phases, so the next idle window is idle). */
export async function purgeBusy(env: StackEnv, tr: Traffic): Promise<void> {
  const client = sqsClient(env);
  try {
    await Promise.all(tr.busy.map((t) => client.send(new PurgeQueueCommand({ QueueUrl: tr.urls.get(t) }))));
  } finally {
    client.destroy();
  }
}
