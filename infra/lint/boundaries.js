// @ts-check
/**
 * ESLint rule `sluice/boundaries`: the folders that may not import each other. A relative import is
 * resolved against the importing file, so `../x/../../workers/y.ts` is caught like `../workers/y.ts`.
 *
 *   scheduler/ ↛ workers/        workers/ ↛ scheduler/        (they meet through contracts in shared/)
 *   shared/ ↛ scheduler/, workers/
 *   scheduler/, workers/, shared/ ↛ api/   (the API is a client of the operations, never the reverse)
 *   api/ ↛ scheduler/, workers/, except the operation modules named in ALLOWED.api (the quota schema,
 *          the intake path, job and review operations: the same code paths the CLIs and SQS use)
 *   scheduler/, workers/, shared/, api/, cli/ ↛ infra/, bench/, test/, demo/   (production code stays production code)
 *   cli/ may import shared/, scheduler/, workers/ and api/; it reaches the development tools only through
 *   cli/dev-tools.ts, a dynamic import of a computed path (docs/adr/0025-operator-cli.md)
 */
import { rawCollectionsRule } from "./raw-collections.js";
import { tenantKeysRule } from "./tenant-keys.js";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** Top-level folder → folders it must not import from. */
export const FORBIDDEN = {
  scheduler: ["workers", "api", "infra", "bench", "test", "demo"],
  workers: ["scheduler", "api", "infra", "bench", "test", "demo"],
  shared: ["scheduler", "workers", "api", "infra", "bench", "test", "demo"],
  api: ["scheduler", "workers", "infra", "bench", "test", "demo"],
  cli: ["infra", "bench", "test", "demo"],
};

/**
 * Exceptions to FORBIDDEN: paths (relative to the root, `/`-separated; a trailing `/` is a folder)
 * that a folder may import although their top folder is forbidden to it. Add a module here when the
 * API needs an operation, rather than copying it.
 */
export const ALLOWED = {
  api: [
    "scheduler/quota/",
    "scheduler/store/quota-doc.ts",
    "scheduler/fairshare/token-bucket.ts",
    "scheduler/intake/",
    "scheduler/jobs/",
    // The scheduler's workflow catalog (files + the steps live workers publish): the API admits
    // exactly the workflows the scheduler releases (docs/adr/0019-api-submission-path.md).
    "scheduler/workflows/fleet-step-catalog.ts",
    "scheduler/store/capacity.ts",
    "workers/review.ts",
    // The operators' routes (api/ops/): the tenants report, quota edits, fair shares, fleet reads.
    "scheduler/cli/assignments.ts",
    "scheduler/cli/tenants-report.ts",
    "scheduler/fairshare/entitlement.ts",
    "scheduler/store/capacity.ts",
    "scheduler/store/tenant-stats.ts",
    // The fleet page's scheduler replicas (heartbeats and tenant leases in scheduler_leases).
    "scheduler/shards/lease-store.ts",
    "scheduler/shards/replica-view.ts",
  ],
};

/** Whether `target` (relative to the root, `/`-separated) is on `from`'s allow-list. */
function allowed(from, target) {
  const list = ALLOWED[from] ?? [];
  return list.some((p) => (p.endsWith("/") ? target.startsWith(p) : target === p));
}

/** The first path segment of `file` relative to `root`, or undefined outside it. */
function topFolder(root, file) {
  const rel = relative(root, file);
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.split(sep)[0];
}

/** @type {import("eslint").Rule.RuleModule} */
export const boundariesRule = {
  meta: {
    type: "problem",
    docs: {
      description: "keeps scheduler/, workers/, shared/ and api/ apart and free of infra/, bench/, test/",
    },
    schema: [],
    messages: {
      forbidden:
        "{{from}}/ may not import {{to}}/ ({{spec}}); scheduler/ and workers/ meet only through contracts in shared/, api/ imports only the operation modules on its allow-list (infra/lint/boundaries.js), and production code (cli/ included) never imports infra/, bench/, test/ or demo/",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = topFolder(root, file);
    const banned = from !== undefined ? FORBIDDEN[from] : undefined;
    if (!banned) return {};
    /** @param {import("estree").Node | null | undefined} source */
    const check = (source) => {
      if (!source || source.type !== "Literal" || typeof source.value !== "string") return;
      const spec = source.value;
      if (!spec.startsWith(".")) return;
      const target = resolve(dirname(file), spec);
      const to = topFolder(root, target);
      if (
        to !== undefined &&
        banned.includes(to) &&
        !allowed(from, relative(root, target).split(sep).join("/"))
      ) {
        context.report({ node: source, messageId: "forbidden", data: { from, to, spec } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export const boundariesPlugin = {
  rules: { boundaries: boundariesRule, "raw-collections": rawCollectionsRule, "tenant-keys": tenantKeysRule },
};
