/**
 * Once a second: per tenant, the usage document's running count and the number of job documents in
 * status `running`, each against the tenant's cap; plus totals for the progress line, flow control
 * and the drain check. Keeps its own MongoDB client and replaces it after a failed sample (the
 * server is restarted during the run); a sample that fails is skipped and counted.
 */
import { MongoClient } from "mongodb";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { CapSample } from "./verdict.ts";
import type { ChaosTenant } from "./workload.ts";

export interface Totals {
  readonly docs: number;
  readonly complete: number;
  readonly failed: number;
  readonly nonTerminal: number;
  readonly running: Record<string, number>;
  readonly at: number;
}

export class Sampler {
  readonly samples: CapSample[] = [];
  failedSamples = 0;
  totals: Totals = { docs: 0, complete: 0, failed: 0, nonTerminal: 0, running: {}, at: 0 };
  #client: MongoClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;

  constructor(
    private readonly mongoUrl: string,
    private readonly db: string,
    private readonly tenants: readonly ChaosTenant[],
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.sampleOnce(), 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#client?.close(true).catch(() => undefined);
    this.#client = undefined;
  }

  async client(): Promise<MongoClient> {
    this.#client ??= new MongoClient(this.mongoUrl, {
      serverSelectionTimeoutMS: 2_000,
      connectTimeoutMS: 2_000,
    });
    return this.#client;
  }

  /** Waits (at most `timeoutMs`) for totals from a sample that started at or after `since`. */
  async freshTotals(since: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.totals.at < since) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  }

  async sampleOnce(): Promise<void> {
    if (this.#inFlight) return;
    this.#inFlight = true;
    const at = Date.now();
    try {
      const db = (await this.client()).db(this.db);
      const jobs = db.collection(COLLECTIONS.jobs);
      const usage = db.collection<{ tenantId: string; running: number }>(COLLECTIONS.usage);
      const running: Record<string, number> = {};
      const batch: CapSample[] = [];
      for (const t of this.tenants) {
        const u = await usage.findOne({ tenantId: t.id }, { projection: { running: 1 } });
        const r = await jobs.countDocuments({ tenantId: t.id, status: "running" });
        running[t.id] = r;
        batch.push({ at, tenant: t.id, cap: t.maxConcurrency, source: "usage", running: u?.running ?? 0 });
        batch.push({ at, tenant: t.id, cap: t.maxConcurrency, source: "jobs", running: r });
      }
      const byStatus = await jobs
        .aggregate<{ _id: string; n: number }>([{ $group: { _id: "$status", n: { $sum: 1 } } }])
        .toArray();
      const n = (s: string) => byStatus.find((b) => b._id === s)?.n ?? 0;
      const docs = byStatus.reduce((k, b) => k + b.n, 0);
      this.samples.push(...batch);
      this.totals = {
        docs,
        complete: n("complete"),
        failed: n("failed") + n("cancelled"),
        nonTerminal: docs - n("complete") - n("failed") - n("cancelled"),
        running,
        at,
      };
    } catch {
      this.failedSamples++;
      const c = this.#client;
      this.#client = undefined;
      await c?.close(true).catch(() => undefined);
    } finally {
      this.#inFlight = false;
    }
  }
}
