/**
 * Label cardinality guard for per-tenant series. Prometheus keeps one time series per label set, so
 * a fleet with 10,000 tenants would otherwise export 10,000 × (metrics × label values) series from
 * every process. The first `cap` distinct tenants a process labels keep their own series; every later
 * one is reported as `other` (its counts are still counted, aggregated). A tenant keeps the label it
 * got first for the life of the process, so a series never changes meaning mid-way.
 */
export const OTHER_TENANT = "other";

export class TenantLabels {
  readonly #cap: number;
  readonly #named = new Set<string>();

  constructor(cap: number) {
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`tenant series cap must be an integer >= 0`);
    this.#cap = cap;
  }

  /** The label value to use for `tenant`: itself while under the cap (or already named), else `other`. */
  label(tenant: string): string {
    if (this.#named.has(tenant)) return tenant;
    if (this.#named.size < this.#cap && tenant !== OTHER_TENANT) {
      this.#named.add(tenant);
      return tenant;
    }
    return OTHER_TENANT;
  }

  /** How many tenants have a series of their own. */
  get size(): number {
    return this.#named.size;
  }
}
