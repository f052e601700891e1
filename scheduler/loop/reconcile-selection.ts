/**
 * Which tenants one maintenance round reconciles (pure). Reconciling a tenant recounts its jobs in
 * MongoDB (`UsageStore.reconcile`: two to four queries), so reconciling every owned tenant every
 * round makes an idle fleet's cost grow with its tenants (issue 13: 500 idle tenants cost ~300
 * MongoDB commands a second). A tenant is *hot* when its counters can be wrong in a way that matters
 * soon: it has backlog, running jobs or parked jobs. Hot tenants are reconciled every round; the
 * others (*quiet*: counters at zero, nothing queued) in a rotating slice sized so that each is
 * reconciled at least once per `quietEveryMs` (a drift there — a counter at zero while a job runs —
 * is rare and costs at most one job over the cap until it is found).
 */
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

export interface ReconcileSelectionInput {
  /** The tenants this replica reconciles (owned, with a quota). */
  readonly tenants: readonly TenantId[];
  readonly hot: (tenant: TenantId) => boolean;
  /**
   * The last quiet tenant reconciled by the previous round: this round continues with the next one
   * in id order (wrapping), so tenants coming and going never make the rotation skip anyone.
   */
  readonly cursor: TenantId | undefined;
  /** The maintenance period. */
  readonly intervalMs: number;
  /** Longest a quiet tenant goes without a reconcile; ≤ `intervalMs`: every round, like hot ones. */
  readonly quietEveryMs: number;
}

export interface ReconcileSelection {
  readonly tenants: TenantId[];
  readonly hot: number;
  readonly quiet: number;
  readonly cursor: TenantId | undefined;
}

export function selectForReconcile(input: ReconcileSelectionInput): ReconcileSelection {
  const hot: TenantId[] = [];
  const quiet: TenantId[] = [];
  for (const t of input.tenants) (input.hot(t) ? hot : quiet).push(t);
  if (input.quietEveryMs <= input.intervalMs || quiet.length === 0)
    return { tenants: [...hot, ...quiet], hot: hot.length, quiet: quiet.length, cursor: undefined };
  quiet.sort();
  const rounds = Math.max(1, Math.floor(input.quietEveryMs / Math.max(1, input.intervalMs)));
  const slice = Math.ceil(quiet.length / rounds);
  const after = input.cursor;
  let start = after === undefined ? 0 : quiet.findIndex((t) => t > after);
  if (start < 0) start = 0;
  const picked: TenantId[] = [];
  for (let i = 0; i < slice; i++) picked.push(quiet[(start + i) % quiet.length] as TenantId);
  return {
    tenants: [...hot, ...picked],
    hot: hot.length,
    quiet: quiet.length,
    cursor: picked[picked.length - 1],
  };
}

/**
 * The rotation's memory between maintenance rounds: where it stopped, and the tenants released since
 * the last round (hot even if no tick has read their counters since).
 */
export class ReconcileRotation {
  #cursor: TenantId | undefined;
  #released = new Set<TenantId>();

  /** Tenants that had a release (called by each tick). */
  released(tenants: Iterable<TenantId>): void {
    for (const t of tenants) this.#released.add(t);
  }

  /** The tenants this round reconciles: see `selectForReconcile`; a tenant released since the last round is hot. */
  next(
    tenants: readonly TenantId[],
    hot: (tenant: TenantId) => boolean,
    period: { readonly intervalMs: number; readonly quietEveryMs: number },
  ): TenantId[] {
    const released = this.#released;
    this.#released = new Set();
    const pick = selectForReconcile({
      tenants,
      hot: (t) => released.has(t) || hot(t),
      cursor: this.#cursor,
      ...period,
    });
    this.#cursor = pick.cursor;
    return pick.tenants;
  }
}
