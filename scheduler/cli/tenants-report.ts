/**
 * What `tenants list` and `tenants check` show: every tenant document validated through the same
 * `QuotaSource` the scheduler uses, joined with running counts (usage), queued jobs (MongoDB) and
 * the intake queue's depth (SQS, when a port is given), and the release rate and throttling the
 * schedulers published over their last summary interval (`scheduler_stats`, fresh documents summed).
 */
import type { Db } from "mongodb";
import type { Logger } from "pino";
import { intakeQueueName } from "../../shared/aws/queue-names.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import { tenantCollection } from "../../shared/tenancy/scoped-collection.ts";
import type { TenantDataRouter } from "../../shared/tenancy/tenant-router.ts";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Quota, QuotaProblem } from "../quota/schema.ts";
import { formatProblem } from "../quota/schema.ts";
import { QuotaSource } from "../store/quota-source.ts";
import { TenantStatsStore } from "../store/tenant-stats.ts";
import type { TenantStatsSum } from "../store/tenant-stats.ts";
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { MongoLeaseStore } from "../shards/lease-store.ts";

export interface ReportDeps {
  readonly db: Db;
  readonly sqs?: SqsPort;
  readonly queuePrefix: string;
  readonly now: () => number;
  readonly log: Logger;
  /** Where each tenant's jobs and usage live. */
  readonly router: TenantDataRouter;
}

export interface TenantRow {
  /** The tenant id, or the document's `_id` when it names no valid tenant. */
  readonly tenant: string;
  /** Undefined when the document is invalid (the CLI has no earlier valid version to fall back on). */
  readonly quota: Quota | undefined;
  readonly running: number;
  readonly releasedToday: number;
  /** Jobs with status `queued` in MongoDB (released, not yet claimed, or resting on a Wait). */
  readonly queued: number | undefined;
  /** Intake queue depth (visible + in flight + delayed); undefined without SQS or without a queue. */
  readonly backlog: number | undefined;
  readonly backlogNote?: string;
  /** Summed over the schedulers' fresh `scheduler_stats` documents; undefined when none is fresh. */
  readonly stats: TenantStatsSum | undefined;
  /** The scheduler replica holding the tenant's lease (`scheduler_leases`), expired or not; undefined: none. */
  readonly owner?: { readonly replicaId: string; readonly expiresAt: number };
  /** When the report was read (for the lease's time left). */
  readonly at?: number;
  readonly problems: readonly QuotaProblem[];
}

/** Validates every tenant document (a full read of `tenants`) and returns rows sorted by tenant. */
export async function tenantRows(deps: ReportDeps): Promise<TenantRow[]> {
  const source = new QuotaSource(tenantsCollection(deps.db), {
    now: deps.now,
    log: deps.log,
  });
  const report = await source.resync();
  const usage = new UsageStore(deps.router, { now: deps.now, log: deps.log });
  const counters = await usage.readAll();
  const stats = await new TenantStatsStore(deps.db).readRecent(deps.now());
  const leases = await new MongoLeaseStore(deps.db).leases();
  const at = deps.now();

  const entries: {
    tenant: string;
    id: TenantId | undefined;
    quota: Quota | undefined;
    problems: readonly QuotaProblem[];
  }[] = [];
  for (const [id, quota] of source.book.quotas()) entries.push({ tenant: id, id, quota, problems: [] });
  for (const r of report.rejected) {
    entries.push({
      tenant: r.tenantId ?? `_id ${r.key}`,
      id: r.tenantId,
      quota: undefined,
      problems: r.problems,
    });
  }
  entries.sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));

  return Promise.all(
    entries.map(async (e): Promise<TenantRow> => {
      const counter = e.id === undefined ? undefined : counters.get(e.id);
      const queued = e.id === undefined ? undefined : await queuedJobs(deps.router, e.id);
      const backlog = e.id === undefined ? { value: undefined } : await intakeBacklog(deps, e.id);
      return {
        tenant: e.tenant,
        quota: e.quota,
        running: counter?.running ?? 0,
        releasedToday: counter?.releasedToday ?? 0,
        queued,
        backlog: backlog.value,
        ...(backlog.note !== undefined ? { backlogNote: backlog.note } : {}),
        stats: e.id === undefined ? undefined : stats.get(e.id),
        ...ownerOf(e.id === undefined ? undefined : leases.get(e.id)),
        at,
        problems: e.problems,
      };
    }),
  );
}

/** The tenant's queued jobs; undefined when its home cannot be resolved (its problems say why). */
async function queuedJobs(router: TenantDataRouter, tenant: TenantId): Promise<number | undefined> {
  try {
    return await tenantCollection<JobDoc>(router, tenant, COLLECTIONS.jobs).countDocuments({
      status: "queued",
    });
  } catch {
    return undefined;
  }
}

function ownerOf(lease: { owner: string | null; expiresAt: number } | undefined) {
  return lease?.owner == null ? {} : { owner: { replicaId: lease.owner, expiresAt: lease.expiresAt } };
}

/** `rep-a (8s)`: the owning replica and its lease's time left; `rep-a (expired)`; `-` without an owner. */
export function formatOwner(row: TenantRow): string {
  if (row.owner === undefined) return "-";
  const left = row.owner.expiresAt - (row.at ?? Date.now());
  return `${row.owner.replicaId} (${left > 0 ? `${Math.ceil(left / 1000)}s` : "expired"})`;
}

async function intakeBacklog(
  deps: ReportDeps,
  tenant: TenantId,
): Promise<{ value: number | undefined; note?: string }> {
  if (deps.sqs === undefined) return { value: undefined };
  try {
    const url = await deps.sqs.getQueueUrl(intakeQueueName(deps.queuePrefix, tenant));
    const d = await deps.sqs.approximateDepth(url);
    return { value: d.visible + d.inFlight + d.delayed };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      value: undefined,
      note: code === "NotFound" ? "no intake queue" : `sqs: ${(err as Error).message}`,
    };
  }
}

/** `50/s burst 100`, or `-` without a rate limit. */
export function formatRate(quota: Quota | undefined): string {
  if (quota === undefined) return "?";
  return quota.rate === undefined ? "-" : `${quota.rate.perSecond}/s burst ${quota.rate.burst}`;
}

/** `12.5`, `0.25`, `0`: at most two decimals. */
export function formatPerSec(perSec: number): string {
  return String(Math.round(perSec * 100) / 100);
}

/** `12 (cap)`: throttled ticks over the window and the dominant reason; `0`; `-` without fresh stats. */
export function formatThrottled(stats: TenantStatsSum | undefined): string {
  if (stats === undefined) return "-";
  const reason = stats.throttledReason === "noQuota" ? "no-quota" : stats.throttledReason;
  return reason === undefined ? String(stats.throttledTotal) : `${stats.throttledTotal} (${reason})`;
}

export const LIST_HEADERS = [
  "TENANT",
  "STATUS",
  "TIER",
  "WEIGHT",
  "MIN",
  "MAX",
  "RATE",
  "RUNNING",
  "QUEUED",
  "BACKLOG",
  "TODAY",
  "RELEASED/S",
  "THROTTLED",
  "OWNER",
  "PROBLEMS",
] as const;

/** Longest status reason the list shows (the whole reason: `tenants get`, `--json`). */
export const LIST_REASON_CHARS = 40;

/** A reason on one line, cut to `LIST_REASON_CHARS` code points with `…`. */
export function shortReason(reason: string): string {
  const flat = [...reason.replace(/\s+/g, " ").trim()];
  return flat.length <= LIST_REASON_CHARS
    ? flat.join("")
    : `${flat.slice(0, LIST_REASON_CHARS - 1).join("")}…`;
}

export function listCells(row: TenantRow): string[] {
  const q = row.quota;
  const num = (n: number | undefined) => (n === undefined ? "?" : String(n));
  const today =
    q?.dailyJobQuota === undefined ? String(row.releasedToday) : `${row.releasedToday}/${q.dailyJobQuota}`;
  const status =
    q === undefined
      ? "INVALID"
      : q.reason !== undefined
        ? `${q.status} (${shortReason(q.reason)})`
        : q.status;
  return [
    row.tenant,
    status,
    q?.tier ?? "?",
    num(q?.weight),
    num(q?.minConcurrency),
    num(q?.maxConcurrency),
    formatRate(q),
    String(row.running),
    num(row.queued),
    row.backlog === undefined ? (row.backlogNote ?? "-") : String(row.backlog),
    today,
    row.stats === undefined ? "-" : formatPerSec(row.stats.releasedPerSec),
    formatThrottled(row.stats),
    formatOwner(row),
    row.problems.length === 0 ? "" : row.problems.map(formatProblem).join("; "),
  ];
}

/** The JSON form of a row (`--json`): plain values, problems as `{ path, message }`. */
export function rowJson(row: TenantRow): Record<string, unknown> {
  const valid = TenantIdSchema.safeParse(row.tenant).success;
  return {
    tenant: row.tenant,
    valid: row.quota !== undefined,
    knownTenant: valid,
    quota: row.quota === undefined ? null : { ...row.quota, updatedAt: row.quota.updatedAt.toISOString() },
    running: row.running,
    releasedToday: row.releasedToday,
    queued: row.queued ?? null,
    backlog: row.backlog ?? null,
    ...(row.backlogNote !== undefined ? { backlogNote: row.backlogNote } : {}),
    releasedPerSec: row.stats?.releasedPerSec ?? null,
    throttled:
      row.stats === undefined
        ? null
        : {
            total: row.stats.throttledTotal,
            reason: row.stats.throttledReason ?? null,
            ...row.stats.throttled,
          },
    statsSchedulers: row.stats?.schedulers ?? 0,
    owner:
      row.owner === undefined
        ? null
        : { replicaId: row.owner.replicaId, expiresAt: new Date(row.owner.expiresAt).toISOString() },
    problems: row.problems,
  };
}
