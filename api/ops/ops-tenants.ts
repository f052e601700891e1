/**
 * The console's Tenants page: every tenant's quota, status, tier, running / cap, backlog, releases
 * per second and throttle reasons (the same rows as `sluice tenants list`), with its measured share
 * of the fleet's live slots and the fair share weighted max-min gives it now; and the quota edit
 * (validated, compare-and-set, in the audit trail with the operator's identity).
 */
import { parseAssignments } from "../../scheduler/cli/assignments.ts";
import { tenantRows } from "../../scheduler/cli/tenants-report.ts";
import { entitlementInput, entitlements } from "../../scheduler/fairshare/entitlement.ts";
import { editQuota } from "../../scheduler/quota/edit-quota.ts";
import { formatProblem } from "../../scheduler/quota/schema.ts";
import { FleetCapacity } from "../../scheduler/store/capacity.ts";
import type { StoredAuditEntry } from "../../shared/audit/audit-log.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { OperatorPrincipal } from "../auth/principal.ts";
import { ApiError } from "../errors.ts";
import type { OpsDeps } from "./ops-deps.ts";

export interface TenantOverview {
  readonly tenant: string;
  readonly valid: boolean;
  readonly problems: readonly string[];
  readonly status: string | null;
  readonly reason: string | null;
  readonly tier: string | null;
  readonly weight: number | null;
  readonly minConcurrency: number | null;
  readonly maxConcurrency: number | null;
  readonly rate: { perSecond: number; burst: number } | null;
  readonly maxQueued: number | null;
  readonly running: number;
  readonly backlog: number | null;
  readonly releasedPerSecond: number | null;
  readonly throttled: Readonly<Record<string, number>>;
  /** Running over the fleet's live slots (0..1). */
  readonly share: number;
  /** Weighted max-min fair share of the live slots now (0..1). */
  readonly fairShare: number;
  readonly version: number | null;
}

export async function tenantsOverview(
  deps: OpsDeps,
): Promise<{ at: string; liveSlots: number; tenants: TenantOverview[] }> {
  const now = deps.now();
  const [rows, fleet] = await Promise.all([
    tenantRows({
      db: deps.db,
      sqs: deps.sqs,
      queuePrefix: deps.rt.config.queues.prefix,
      now: deps.now,
      log: deps.log,
      router: deps.rt.router,
    }),
    new FleetCapacity(deps.db).view(now),
  ]);
  const slots = fleet.live.reduce((s, w) => s + w.slots, 0);
  const fair = entitlements(
    rows.flatMap((r) => entitlementInput(r.tenant, r.quota, r.running, r.backlog ?? 0) ?? []),
    slots,
  );
  return {
    at: new Date(now).toISOString(),
    liveSlots: slots,
    tenants: rows.map((r) => {
      const q = r.quota;
      const stats = r.stats;
      return {
        tenant: r.tenant,
        valid: q !== undefined,
        problems: r.problems.map(formatProblem),
        status: q?.status ?? null,
        reason: q?.reason ?? null,
        tier: q?.tier ?? null,
        weight: q?.weight ?? null,
        minConcurrency: q?.minConcurrency ?? null,
        maxConcurrency: q?.maxConcurrency ?? null,
        rate: q?.rate ?? null,
        maxQueued: q?.maxQueued ?? null,
        running: r.running,
        backlog: r.backlog ?? null,
        releasedPerSecond: stats === undefined ? null : stats.releasedPerSec,
        throttled: stats === undefined ? {} : { ...stats.throttled },
        share: slots > 0 ? r.running / slots : 0,
        fairShare: slots > 0 ? (fair.get(r.tenant) ?? 0) / slots : 0,
        version: q?.version ?? null,
      };
    }),
  };
}

/** Applies `changes` (dotted field → value, the fields `sluice tenants set` takes) to the tenant's quota. */
export async function editTenantQuota(
  deps: OpsDeps,
  operator: OperatorPrincipal,
  tenant: TenantId,
  changes: Readonly<Record<string, unknown>>,
): Promise<{ version: number; changed: readonly string[]; audit: StoredAuditEntry | undefined }> {
  const parsed = parseAssignments(Object.entries(changes).map(([k, v]) => `${k}=${JSON.stringify(v)}`));
  if (!parsed.ok)
    throw new ApiError(400, "invalid_request", parsed.errors.join("; "), { issues: parsed.errors });
  const r = await editQuota(
    {
      tenants: deps.tenants,
      audit: deps.audit,
      now: deps.now,
      hasObjects: async (t) => (await deps.rt.blobs.list(t, { pageSize: 1 })).items.length > 0,
    },
    tenant,
    parsed.assignments,
    { kind: "token", subject: operator.subject },
  );
  if (!r.ok && r.reason === "invalid") {
    throw new ApiError(
      400,
      "invalid_request",
      `the quota would be invalid: ${r.problems.map(formatProblem).join("; ")}`,
      {
        issues: r.problems.map((p) => ({ path: p.path.split("."), message: p.message })),
      },
    );
  }
  if (!r.ok && r.reason === "objects") throw new ApiError(409, "conflict", r.message);
  if (!r.ok) throw new ApiError(409, "conflict", "the tenant document kept changing concurrently; try again");
  const [audit] = await deps.audit.list(tenant, { limit: 1 });
  return { version: r.version, changed: r.changed, audit };
}
