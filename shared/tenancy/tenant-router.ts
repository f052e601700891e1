/**
 * The tenant data router: the one place that decides which database holds a tenant's data, from the
 * tenant document's `tier` and `storage` (tenant-storage.ts). Everything that reaches tenant data —
 * the job store (`rt.jobsOf`), usage counters and ledger, LLM usage, the sweeper, the CLIs, the API —
 * asks it, through `tenantCollection` (scoped-collection.ts).
 *
 * - **Resolution** (`home`): reads the tenant's document from the fleet's `tenants` collection and
 *   resolves it with the pure `homeOf`. The answer is cached for `ttlMs` (default 5 s) and shared by
 *   concurrent callers; `invalidate(tenant)` drops it so the next call re-reads. A process may
 *   therefore route with a home up to `ttlMs` old: whoever changes a tenant's home (a promotion)
 *   must allow for that (invalidate locally, and fence or wait `ttlMs` for other processes).
 * - **Fails closed**: no document, a document whose `tier`/`storage` do not validate, or a read that
 *   fails rejects with `TenantRoutingError` (naming the field and the problem). Nothing falls back to
 *   the shared database. Failed resolutions are not cached.
 * - **Connections**: a dedicated tenant with `storage.mongoUrl` gets a `MongoClient` of its own, one
 *   per distinct URL, created on first use and closed by `close()` (the runtime's close). Tenants
 *   without one use the fleet's client.
 * - **Discovery** (`databases`): the shared database and every dedicated tenant's, from the tenants
 *   collection, for the few documented cross-tenant passes (the sweeper, usage snapshots, pruning).
 *
 * Extension point (moves): a promotion changes the document (`tier`, `storage`), then calls
 * `invalidate(tenant)`; anything more a move needs (a "moving" state, an epoch) belongs in its own
 * collection and can wrap `home` — keep this module the one resolution function.
 */
import type { Collection, Db, Document, MongoClient } from "mongodb";
import type { Logger } from "pino";
import { tenantsCollection } from "../fleet/tenants-collection.ts";
import { newMongoClient } from "../mongo/client.ts";
import { homeOf, type IsolationTier, type TenantHome } from "./tenant-storage.ts";
import { TenantIdSchema, type TenantId } from "./tenant-id.ts";

/** A tenant whose home cannot be resolved. Carries the tenant and, for a bad document, the problems. */
export class TenantRoutingError extends Error {
  readonly code = "tenant_routing" as const;
  constructor(
    readonly tenantId: string,
    message: string,
    /** True when a read failed (MongoDB unreachable): try again later. A bad document is not retryable. */
    readonly retryable: boolean,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = "TenantRoutingError";
  }
}

/** A database holding tenant data: the shared one, or one holding dedicated tenants. */
export interface RoutedDatabase {
  readonly db: Db;
  readonly tier: IsolationTier;
  /** `dedicated`: the tenants homed in it. `shared`: empty (every shared-tier tenant). */
  readonly tenants: readonly TenantId[];
}

export interface TenantDataRouter {
  /** Where `tenant`'s data lives now (cached up to the TTL). Rejects with `TenantRoutingError`. */
  home(tenant: TenantId): Promise<TenantHome>;
  /** The database of `home(tenant)`. */
  dbFor(tenant: TenantId): Promise<Db>;
  /** Forgets the cached home of `tenant` (every tenant without an argument): the next call re-reads. */
  invalidate(tenant?: TenantId): void;
  /** The shared database and every dedicated tenant's (cached up to the TTL); for cross-tenant passes. */
  databases(): Promise<readonly RoutedDatabase[]>;
}

export interface MongoRouterOptions {
  /**
   * The fleet's shared database (`SLUICE_DB` on `MONGO_URL`): it holds the tenants collection and the
   * shared tier's data; its client also serves dedicated tenants without a `storage.mongoUrl`.
   */
  readonly sharedDb: Db;
  /** Creates a client for a tenant's own `storage.mongoUrl` (default: Sluice's options, connected on use). */
  readonly newClient?: (url: string) => MongoClient;
  readonly ttlMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

interface Cached<T> {
  readonly at: number;
  readonly value: Promise<T>;
}

export const DEFAULT_ROUTE_TTL_MS = 5_000;

export class MongoTenantRouter implements TenantDataRouter {
  readonly #client: MongoClient;
  readonly #sharedDb: Db;
  readonly #sharedDbName: string;
  readonly #newClient: (url: string) => MongoClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #homes = new Map<TenantId, Cached<TenantHome>>();
  readonly #clients = new Map<string, MongoClient>();
  #databases: Cached<readonly RoutedDatabase[]> | undefined;
  #closed = false;

  constructor(options: MongoRouterOptions) {
    this.#client = options.sharedDb.client;
    this.#sharedDb = options.sharedDb;
    this.#sharedDbName = options.sharedDb.databaseName;
    this.#newClient = options.newClient ?? ((url) => newMongoClient(url, { appName: "sluice-tenant" }));
    this.#ttlMs = options.ttlMs ?? DEFAULT_ROUTE_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#log = options.log?.child({ component: "tenant-router" });
  }

  get sharedDb(): Db {
    return this.#sharedDb;
  }

  #tenants(): Collection<Document> {
    return tenantsCollection(this.sharedDb);
  }

  home(tenant: TenantId): Promise<TenantHome> {
    const id = TenantIdSchema.safeParse(tenant);
    if (!id.success) {
      return Promise.reject(
        new TenantRoutingError(String(tenant), `invalid tenant id ${JSON.stringify(tenant)}`, false),
      );
    }
    const now = this.#now();
    const hit = this.#homes.get(id.data);
    if (hit !== undefined && now - hit.at < this.#ttlMs) return hit.value;
    const value = this.#resolve(id.data);
    const entry = { at: now, value };
    this.#homes.set(id.data, entry);
    value.catch(() => {
      if (this.#homes.get(id.data) === entry) this.#homes.delete(id.data);
    });
    return value;
  }

  async dbFor(tenant: TenantId): Promise<Db> {
    return this.#dbOf(await this.home(tenant));
  }

  invalidate(tenant?: TenantId): void {
    if (tenant === undefined) this.#homes.clear();
    else this.#homes.delete(tenant);
    this.#databases = undefined;
  }

  databases(): Promise<readonly RoutedDatabase[]> {
    const now = this.#now();
    if (this.#databases !== undefined && now - this.#databases.at < this.#ttlMs) return this.#databases.value;
    const entry = { at: now, value: this.#discover() };
    this.#databases = entry;
    entry.value.catch(() => {
      if (this.#databases === entry) this.#databases = undefined;
    });
    return entry.value;
  }

  /** Closes the clients opened for tenants' own connection strings (not the fleet's). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
  }

  async #resolve(tenant: TenantId): Promise<TenantHome> {
    let doc: Document | null;
    try {
      doc = await this.#tenants().findOne({ $or: [{ tenantId: tenant }, { _id: tenant as never }] });
    } catch (err) {
      throw new TenantRoutingError(
        tenant,
        `cannot read the tenant document of "${tenant}": ${(err as Error).message}`,
        true,
      );
    }
    if (doc === null) {
      throw new TenantRoutingError(
        tenant,
        `tenant "${tenant}" has no tenant document: its data has no home`,
        false,
      );
    }
    const result = homeOf(doc, tenant, this.#sharedDbName);
    if (!result.ok) {
      throw new TenantRoutingError(
        tenant,
        `tenant "${tenant}" cannot be routed: ${result.problems.join("; ")}`,
        false,
        result.problems,
      );
    }
    return result.home;
  }

  #dbOf(home: TenantHome): Db {
    if (home.mongoUrl === undefined) {
      return home.databaseName === this.#sharedDbName ? this.#sharedDb : this.#client.db(home.databaseName);
    }
    if (this.#closed) throw new TenantRoutingError(home.tenantId, "the tenant data router is closed", false);
    let client = this.#clients.get(home.mongoUrl);
    if (client === undefined) {
      client = this.#newClient(home.mongoUrl);
      this.#clients.set(home.mongoUrl, client);
    }
    return client.db(home.databaseName);
  }

  async #discover(): Promise<readonly RoutedDatabase[]> {
    const docs = await this.#tenants()
      .find({ tier: "dedicated" }, { projection: { _id: 1, tenantId: 1, tier: 1, storage: 1 } })
      .toArray();
    const byKey = new Map<string, { home: TenantHome; tenants: TenantId[] }>();
    for (const doc of docs) {
      const tenant = TenantIdSchema.safeParse(doc["tenantId"] ?? doc["_id"]);
      if (!tenant.success) continue;
      const result = homeOf(doc, tenant.data, this.#sharedDbName);
      if (!result.ok) {
        this.#log?.warn(
          { tenantId: tenant.data, problems: result.problems },
          "dedicated tenant cannot be routed",
        );
        continue;
      }
      const key = `${result.home.mongoUrl ?? ""}\u0000${result.home.databaseName}`;
      const group = byKey.get(key) ?? { home: result.home, tenants: [] };
      group.tenants.push(tenant.data);
      byKey.set(key, group);
    }
    return [
      { db: this.sharedDb, tier: "shared", tenants: [] },
      ...[...byKey.values()].map((g) => ({
        db: this.#dbOf(g.home),
        tier: "dedicated" as const,
        tenants: g.tenants,
      })),
    ];
  }
}
