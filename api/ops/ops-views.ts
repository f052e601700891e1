/**
 * The console's other pages, as operations over the fleet: a job's workflow graph with the path it
 * took (from its definition version and its own timeline), the review queue of every tenant, the
 * dead-letter queues with their reasons and a redrive, and the processes alive.
 */
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { SweeperRegistry } from "../../shared/fleet/sweeper-heartbeats.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { FleetCapacity } from "../../scheduler/store/capacity.ts";
import { TenantStatsStore } from "../../scheduler/store/tenant-stats.ts";
import { MongoLeaseStore } from "../../scheduler/shards/lease-store.ts";
import { schedulerReplicas } from "../../scheduler/shards/replica-view.ts";
import { apiReplicaView } from "../../shared/fleet/api-replicas.ts";
import {
  deadLetter,
  peek,
  redrive,
  type DeadLetter,
  type RedriveReport,
} from "../../shared/dlq/dead-letters.ts";
import { allTargets } from "../../shared/dlq/targets.ts";
import { ApiError } from "../errors.ts";
import { loadJob } from "../jobs/job-view.ts";
import type { OpsDeps } from "./ops-deps.ts";
import { workflowGraph, type WorkflowGraph } from "./workflow-graph.ts";

/** A job's workflow drawn as states and transitions, the states it went through and where it is now. */
export async function jobGraph(
  deps: OpsDeps,
  tenant: TenantId,
  jobId: string,
): Promise<WorkflowGraph & { visited: string[]; current: string | null; durations: Record<string, number> }> {
  const job = await loadJob(deps.jobs, { tenantId: tenant, subject: "operator" }, jobId);
  const version = await deps.versions.get(job.workflow.version);
  if (version === null)
    throw new ApiError(404, "not_found", `workflow version ${job.workflow.version} is not recorded`);
  const graph = workflowGraph(JSON.parse(version.definition) as unknown);
  return { ...graph, ...pathOf(job) };
}

/** The states a job entered (in order of first entry), the one it is in now, and time spent per state. */
export function pathOf(job: Pick<JobDoc, "history" | "status" | "review">): {
  visited: string[];
  current: string | null;
  durations: Record<string, number>;
} {
  const visited: string[] = [];
  const open = new Map<string, number>();
  const durations: Record<string, number> = {};
  for (const e of job.history) {
    if (e.state === undefined) continue;
    if (e.type === "state_entered") {
      if (!visited.includes(e.state)) visited.push(e.state);
      open.set(e.state, e.at);
    } else if (e.type === "state_exited") {
      const at = open.get(e.state);
      if (at !== undefined) durations[e.state] = (durations[e.state] ?? 0) + (e.at - at);
      open.delete(e.state);
    }
  }
  const terminal = job.status === "complete" || job.status === "failed";
  const current = job.review?.stateName ?? (terminal ? null : ([...open.keys()].at(-1) ?? null));
  return { visited, current, durations };
}

export interface PendingReview {
  readonly tenant: string;
  readonly jobId: string;
  readonly workflow: string;
  readonly stateName: string;
  readonly requestedAt: string;
  readonly data: unknown;
}

/** Jobs waiting for a human decision, per tenant (at most `limit` per tenant), with what to decide on. */
export async function pendingReviews(
  deps: OpsDeps,
  tenants: readonly TenantId[],
  limit = 50,
): Promise<PendingReview[]> {
  const out: PendingReview[] = [];
  for (const tenant of tenants) {
    for (const job of await deps.reviews.list(tenant, limit)) {
      if (job.review === null) continue;
      out.push({
        tenant,
        jobId: job._id,
        workflow: job.workflow.name,
        stateName: job.review.stateName,
        requestedAt: new Date(job.review.requestedAt).toISOString(),
        data: await deps.reviews
          .data(tenant, job)
          .catch((err: unknown) => ({ unreadable: (err as Error).message })),
      });
    }
  }
  return out;
}

/** The work queue's DLQ and every tenant's intake DLQ, with their dead letters (peeked, never consumed). */
export async function deadLetters(
  deps: OpsDeps,
  tenants: readonly TenantId[],
  limit = 20,
): Promise<{ queue: string; source: string; messages: DeadLetter[] }[]> {
  const targets = await allTargets(deps.rt, tenants);
  return Promise.all(
    targets.map(async (t) => ({
      queue: t.dlqName,
      source: t.sourceName,
      messages: (await peek(deps.sqs, t.dlqUrl, limit)).map(deadLetter),
    })),
  );
}

/** Moves one dead letter (or all of a queue) back to its source queue, after a fix. */
export async function redriveDeadLetters(
  deps: OpsDeps,
  queue: string,
  tenants: readonly TenantId[],
  messageId: string | undefined,
): Promise<RedriveReport> {
  const targets = await allTargets(deps.rt, tenants);
  const target = targets.find((t) => t.dlqName === queue);
  if (target === undefined) throw new ApiError(404, "not_found", `no dead-letter queue ${queue}`);
  return redrive(deps.sqs, target, messageId !== undefined ? { messageId } : {});
}

/**
 * Workers, sweepers, scheduler replicas and API replicas (alive or dead), with slots, tenants owned
 * and last heartbeats.
 */
export async function fleetView(deps: OpsDeps) {
  const now = deps.now();
  const [workers, sweepers, schedulers, replicas, apis] = await Promise.all([
    new FleetCapacity(deps.db).view(now),
    new SweeperRegistry(deps.db).view(now),
    new TenantStatsStore(deps.db).schedulers(now),
    schedulerReplicas(new MongoLeaseStore(deps.db), now),
    apiReplicaView(deps.db, now),
  ]);
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    at: iso(now),
    workers: workers.live.map((w) => ({
      id: w.workerId,
      slots: w.slots,
      busy: w.busy,
      healthy: w.healthy !== false,
      at: iso(w.at),
      steps: [...(w.steps ?? [])],
    })),
    staleWorkers: workers.stale,
    freeSlots: workers.freeSlots,
    sweepers: sweepers.live.map((s) => ({ id: s.sweeperId, at: iso(s.at), lastTickAt: iso(s.lastTickAt) })),
    sweeperWarning: sweepers.warning ?? null,
    schedulers: schedulers.map((s) => ({ ...s, lastSummaryAt: iso(s.lastSummaryAt) })),
    schedulerReplicas: replicas.map((r) => ({
      id: r.replicaId,
      alive: r.alive,
      tenants: r.tenants,
      lastHeartbeatAt: iso(r.lastHeartbeatAt ?? undefined),
      expiresAt: iso(r.expiresAt ?? undefined),
    })),
    apiReplicas: apis.map((a) => ({
      id: a.replicaId,
      alive: a.alive,
      lastHeartbeatAt: iso(a.lastHeartbeatAt),
    })),
  };
}
