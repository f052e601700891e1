/**
 * Isolation enforced, not conventional (issue 12): production code reaches MongoDB collections only
 * through the scoped data layer (shared/tenancy/: `tenantCollection`, the router) or through the ONE
 * module named here for each fleet-level collection and each documented cross-tenant reader. Anything
 * else calling `.collection(...)` or `.db(...)` fails the build; a new fleet module is added to this
 * list in review, never silently.
 *
 * Tests, benchmarks, the demo and the development tools (test/, bench/, demo/, infra/) are not
 * production code and are not checked.
 */
import { relative, sep } from "node:path";

/** Files (root-relative, `/`-separated) that may call `.collection()` / `.db()`, and why. */
export const RAW_COLLECTION_MODULES = {
  "shared/tenancy/scoped-collection.ts": "the scoped collection wrapper itself",
  "shared/tenancy/tenant-router.ts": "the router: a tenant's database from its tier and storage",
  "shared/runtime/runtime.ts": "builds the router and hands out fleetDb for the fleet modules below",
  "shared/mongo/client.ts": "the client and its ping",
  "shared/mongo/indexes.ts": "creates every collection's indexes",
  "shared/fleet/tenants-collection.ts": "fleet: tenant documents (quotas)",
  "shared/fleet/worker-heartbeats.ts": "fleet: worker heartbeats",
  "shared/fleet/sweeper-heartbeats.ts": "fleet: sweeper heartbeats",
  "shared/fleet/api-replicas.ts": "fleet: API replica heartbeats (the edge rate's divisor)",
  "scheduler/store/capacity.ts": "fleet: worker capacity (heartbeats)",
  "scheduler/store/tenant-stats.ts": "fleet: scheduler statistics",
  "scheduler/shards/lease-store.ts": "fleet: scheduler replicas' tenant leases",
  "scheduler/shards/claim-store.ts": "fleet: scheduler replicas' slot claims",
  "shared/workflows/version-store.ts": "fleet: workflow versions",
  "shared/audit/audit-log.ts": "fleet: the audit trail",
  "shared/moves/move-record.ts": "fleet: tenant move records",
  "shared/jobs/sweeper-queries.ts": "documented cross-tenant reader: the sweeper's queries per database",
  "shared/usage/usage-store.ts": "documented cross-tenant reader: usage counters of every database",
  "shared/usage/ledger.ts": "documented cross-tenant reader: ledger pruning in every database",
  "scheduler/moves/move-steps.ts": "moves a tenant's documents between databases (fenced, verified)",
  "scheduler/moves/move-plan.ts":
    "plans a tenant move: its tenant_moves record and the tenant document switch",
  "scheduler/moves/offboard.ts": "exports and deletes an offboarded tenant's data",
  "scheduler/cli/tenants-move.ts": "opens the target database of a move",
  "scheduler/cli/tenants-offboard.ts": "opens the tenant's database for offboarding",
  "scheduler/cli/tenants.ts": "operator CLI: the fleet database for tenant documents",
  "shared/iam/policy-command.ts": "reads tenant documents' storage for their policies",
};

const PRODUCTION = new Set(["api", "cli", "scheduler", "shared", "workers"]);

/** @type {import("eslint").Rule.RuleModule} */
export const rawCollectionsRule = {
  meta: {
    type: "problem",
    docs: {
      description: "only the scoped data layer and the named fleet modules touch raw MongoDB collections",
    },
    schema: [],
    messages: {
      raw: "{{file}} may not call .{{method}}(): reach tenant data through the scoped stores (rt.jobsOf, tenantCollection, the router) and fleet collections through their module (infra/lint/raw-collections.js lists them)",
    },
  },
  create(context) {
    const file = relative(context.cwd, context.filename).split(sep).join("/");
    if (!PRODUCTION.has(file.split("/")[0] ?? "") || file in RAW_COLLECTION_MODULES) return {};
    return {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== "MemberExpression" || callee.property.type !== "Identifier") return;
        const method = callee.property.name;
        if (method !== "collection" && method !== "db") return;
        context.report({ node, messageId: "raw", data: { file, method } });
      },
    };
  },
};
