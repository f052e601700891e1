import type { Db } from "mongodb";
import type { Logger } from "pino";
import { z } from "zod";
import { COLLECTIONS } from "../../../../shared/mongo/collections.ts";
import { scopedCollection } from "../../../../shared/tenancy/scoped-collection.ts";
import type { TenantId } from "../../../../shared/tenancy/tenant-id.ts";

/**
 * A tenant's monthly LLM token budget: `llm.monthlyTokenBudget` in its tenant document (the quota
 * document operators edit live; other fields are the scheduler's), else the fleet default
 * (`SLUICE_LLM_MONTHLY_TOKEN_BUDGET`). An invalid value is reported with its field path and the
 * default applies. Read on each call, so an operator's edit applies to the next call.
 */
const TenantLlmSchema = z.object({
  llm: z.object({ monthlyTokenBudget: z.number().int().min(0).nullish() }).nullish(),
});

export type BudgetSource = "tenant" | "default";

/** Pure: the budget a tenant document sets, or the default. */
export function budgetFromTenantDoc(
  doc: unknown,
  fallback: number,
): { budget: number; source: BudgetSource } | { problem: string; budget: number; source: BudgetSource } {
  if (doc === null || doc === undefined) return { budget: fallback, source: "default" };
  const parsed = TenantLlmSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { problem: `${issue.path.join(".")}: ${issue.message}`, budget: fallback, source: "default" };
  }
  const value = parsed.data.llm?.monthlyTokenBudget;
  return value === undefined || value === null
    ? { budget: fallback, source: "default" }
    : { budget: value, source: "tenant" };
}

export async function tenantTokenBudget(
  db: Db,
  tenantId: TenantId,
  fallback: number,
  log?: Logger,
): Promise<{ budget: number; source: BudgetSource }> {
  const tenants = scopedCollection(db.collection<{ tenantId: string }>(COLLECTIONS.tenants), tenantId, db);
  const doc = await tenants.findOne({}, { projection: { llm: 1 } });
  const r = budgetFromTenantDoc(doc, fallback);
  if ("problem" in r) {
    log?.warn(
      { tenantId, problem: r.problem },
      "invalid llm budget in the tenant document; the default applies",
    );
  }
  return { budget: r.budget, source: r.source };
}
