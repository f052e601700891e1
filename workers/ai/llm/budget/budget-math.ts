/**
 * Token budgets, decided purely: a tenant may use `budget` tokens (input + output, every provider)
 * per UTC month. A call first reserves the most it can use (its estimated input plus its
 * `maxTokens`, budget/estimate.ts) and is refused, before any provider is called, when that would go
 * over; afterwards the reservation is settled to the usage the provider reported. Reservations are
 * conditional increments (token-budget.ts restates `admits` in the write filter), so concurrent calls
 * of one tenant on any number of workers cannot together pass the budget.
 */

/** The budget period of an instant: its UTC month, `YYYY-MM`. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The usage document of a tenant's month: one per (tenant, month), so the id makes it unique. */
export function usageDocId(tenantId: string, month: string): string {
  return `${tenantId}:${month}`;
}

/** Whether `want` more tokens fit when `used` are already counted against `budget`. */
export function admits(used: number, want: number, budget: number): boolean {
  return used + want <= budget;
}

/** The highest count an existing document may hold for a reservation of `want` to fit. */
export function maxUsedFor(want: number, budget: number): number {
  return budget - want;
}

/** What settling a reservation of `reserved` tokens to `used` adds to the month's count. */
export function settleDelta(reserved: number, used: number): number {
  return Math.max(0, Math.trunc(used)) - reserved;
}
