import { waterFill } from "../../../scheduler/fairshare/metrics.ts";

/**
 * Measures each tenant's share of releases against its weighted fair share, window by window.
 *
 * In each window the releases actually made are the capacity. A tenant's demand is what it received
 * plus what it still had queued at the window's end; a tenant held back by its own limits (paused,
 * at cap, out of rate tokens or daily quota) at any decision in the window demands only what it got.
 * The fair share is the weighted max-min ("water-filling") allocation of the capacity over those
 * demands. A tenant's ratio is its received / fair share summed over the windows in which it was
 * continuously backlogged (queue never empty) and never held back by its own limits; tenants that
 * drain their queue (quiet ones) are judged by their queue wait instead.
 */
export interface ShareTotals {
  /** Releases received in qualifying windows. */
  readonly received: number;
  /** Weighted fair share over the same windows. */
  readonly fair: number;
  readonly windows: number;
}

export class ShareMeter {
  readonly #windowMs: number;
  #windowEnd: number;
  readonly #received: number[];
  readonly #emptied: boolean[];
  readonly #held: boolean[];
  readonly #totals: { received: number; fair: number; windows: number }[];

  constructor(tenantCount: number, windowMs: number, startAt: number) {
    this.#windowMs = windowMs;
    this.#windowEnd = startAt + windowMs;
    this.#received = new Array<number>(tenantCount).fill(0);
    this.#emptied = new Array<boolean>(tenantCount).fill(true);
    this.#held = new Array<boolean>(tenantCount).fill(false);
    this.#totals = Array.from({ length: tenantCount }, () => ({ received: 0, fair: 0, windows: 0 }));
  }

  onRelease(tenant: number): void {
    this.#received[tenant] = (this.#received[tenant] ?? 0) + 1;
  }

  onQueueEmpty(tenant: number): void {
    this.#emptied[tenant] = true;
  }

  onHeldByOwnLimit(tenant: number): void {
    this.#held[tenant] = true;
  }

  /** Closes every window that ends at or before `now`; call before handling events at `now`. */
  advance(
    now: number,
    queued: (tenant: number) => number,
    weight: (tenant: number) => number | undefined,
  ): void {
    while (this.#windowEnd <= now) {
      this.close(queued, weight);
      this.#windowEnd += this.#windowMs;
    }
  }

  /** Closes the current window (also used for the final, partial one). */
  close(queued: (tenant: number) => number, weight: (tenant: number) => number | undefined): void {
    const n = this.#received.length;
    const capacity = this.#received.reduce((s, r) => s + r, 0);
    if (capacity > 0) {
      const claims = Array.from({ length: n }, (_, i) => {
        const received = this.#received[i] ?? 0;
        const w = weight(i);
        const demand = this.#held[i] || w === undefined ? received : received + queued(i);
        return { demand, weight: w ?? 1 };
      });
      const fair = waterFill(capacity, claims);
      for (let i = 0; i < n; i++) {
        const totals = this.#totals[i];
        if (totals === undefined || this.#emptied[i] || this.#held[i] || weight(i) === undefined) continue;
        totals.received += this.#received[i] ?? 0;
        totals.fair += fair[i] ?? 0;
        totals.windows += 1;
      }
    }
    for (let i = 0; i < n; i++) {
      this.#received[i] = 0;
      this.#held[i] = false;
      this.#emptied[i] = queued(i) === 0;
    }
  }

  totals(tenant: number): ShareTotals {
    return this.#totals[tenant] ?? { received: 0, fair: 0, windows: 0 };
  }
}
