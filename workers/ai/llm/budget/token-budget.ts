import { z } from "zod";
import { COLLECTIONS } from "../../../../shared/mongo/collections.ts";
import { isDuplicateKeyError } from "../../../../shared/mongo/errors.ts";
import { tenantCollection, type ScopedCollection } from "../../../../shared/tenancy/scoped-collection.ts";
import type { TenantDataRouter } from "../../../../shared/tenancy/tenant-router.ts";
import type { TenantId } from "../../../../shared/tenancy/tenant-id.ts";
import { admits, maxUsedFor, monthOf, settleDelta, usageDocId } from "./budget-math.ts";

/**
 * Per-tenant LLM token accounting in MongoDB (collection `llm_usage`, one document per tenant and
 * UTC month, `_id` = `<tenant>:<YYYY-MM>`), changed only by single-document atomic updates:
 *
 * - `reserve`: `updateOne({ _id, tenantId, tokens ≤ budget − want }, { $inc: { tokens: want, calls: 1 } },
 *   { upsert: true })`. The guard and the increment are one write. The month's first call inserts the
 *   document; when the guard fails on an existing document the upsert's insert collides on `_id`
 *   (E11000), the count is read back, and the call is refused if it does not fit — or, when a
 *   concurrent first insert caused the collision, the conditional update is tried again (bounded).
 * - `settle`: `$inc: { tokens: used − reserved }` on the reservation's month (not the current one).
 *
 * Which budget applies is the caller's: `steps.llm.monthlyTokenBudget` in the tenant document (the
 * step's settings), else the fleet default.
 */
export interface LlmUsageDoc {
  _id: string;
  tenantId: string;
  month: string;
  tokens: number;
  calls: number;
  updatedAt: Date;
}

export interface Reservation {
  readonly tenantId: TenantId;
  readonly month: string;
  readonly tokens: number;
}

export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly used: number; readonly budget: number; readonly month: string };

const RESERVE_ROUNDS = 5;

const UsageRead = z.object({ tokens: z.number(), calls: z.number().optional() });

export class TokenBudgetStore {
  readonly #router: TenantDataRouter;
  readonly #now: () => Date;

  /** `router`: where each tenant's data lives; its `llm_usage` documents sit beside its jobs. */
  constructor(router: TenantDataRouter, now: () => Date = () => new Date()) {
    this.#router = router;
    this.#now = now;
  }

  #collection(tenantId: TenantId): ScopedCollection<LlmUsageDoc> {
    return tenantCollection<LlmUsageDoc>(this.#router, tenantId, COLLECTIONS.llmUsage);
  }

  async reserve(tenantId: TenantId, want: number, budget: number): Promise<ReserveResult> {
    const month = monthOf(this.#now());
    const _id = usageDocId(tenantId, month);
    if (!admits(0, want, budget)) return { ok: false, used: await this.used(tenantId, month), budget, month };
    const col = this.#collection(tenantId);
    for (let round = 0; round < RESERVE_ROUNDS; round++) {
      try {
        await col.updateOne(
          { _id, tokens: { $lte: maxUsedFor(want, budget) } },
          { $inc: { tokens: want, calls: 1 }, $set: { month, updatedAt: this.#now() } },
          { upsert: true },
        );
        return { ok: true, reservation: { tenantId, month, tokens: want } };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const used = await this.used(tenantId, month);
      if (!admits(used, want, budget)) return { ok: false, used, budget, month };
      // A concurrent first call of the month inserted the document: the guard holds now, go again.
    }
    throw new Error(`llm_usage ${_id}: reservation contended for ${RESERVE_ROUNDS} rounds`);
  }

  /** Settles a reservation to the tokens the call used (0 when it failed before any answer). */
  async settle(reservation: Reservation, usedTokens: number): Promise<void> {
    const delta = settleDelta(reservation.tokens, usedTokens);
    if (delta === 0) return;
    await this.#collection(reservation.tenantId).updateOne(
      { _id: usageDocId(reservation.tenantId, reservation.month) },
      { $inc: { tokens: delta }, $set: { updatedAt: this.#now() } },
    );
  }

  /** Tokens counted for a tenant's month (reservations in flight included). */
  async used(tenantId: TenantId, month: string = monthOf(this.#now())): Promise<number> {
    const doc = await this.#collection(tenantId).findOne({ _id: usageDocId(tenantId, month) });
    return doc === null ? 0 : UsageRead.parse(doc).tokens;
  }
}
