/**
 * Steps, handlers and services never build S3 clients or S3 keys themselves (issue 12): they reach
 * objects through the tenant-scoped blob store (`rt.blobs` with a tenant, `ctx.blobs` in steps),
 * which builds every key with the tenant key builders of shared/tenancy/keys.ts. So production code
 * outside the modules named here may not
 *
 * - construct an S3 client (`new S3Client(...)`),
 * - import `@aws-sdk/client-s3` or `@aws-sdk/s3-request-presigner` (type-only imports are allowed:
 *   they give a shape, no way to reach S3),
 * - call a tenant key builder (`tenantKey`, `tenantPrefix`, `jobKey`, `jobPrefix`, `uploadKey`,
 *   `rejectedMessageKey`); the checks `assertKeyBelongsToTenant` and `isTenantKey` are not builders.
 *
 * A new module is added to this list in review, with its reason, never silently. Tests, benchmarks,
 * the demo and the development tools (test/, bench/, demo/, infra/) are not production code.
 */
import { relative, sep } from "node:path";

/** Files (root-relative, `/`-separated) that may do what this rule refuses, and why. */
export const TENANT_KEY_MODULES = {
  "shared/tenancy/keys.ts": "the tenant key builders themselves",
  "shared/aws/s3.ts": "the blob store: the S3 adapter, its presigner, and every key from a tenant and parts",
  "shared/aws/clients.ts": "builds the process's S3 clients (the blob store's and the presigner's)",
  "shared/aws/s3-object-mover.ts":
    "operator-only S3 adapter of a tenant move: lists, copies and deletes the tenant's prefix across two placements",
  "workers/sdk/tenant-blobs.ts": "the steps' blob store (ctx.blobs): a job's keys under its tenant",
  "shared/payloads/result-refs.ts":
    "the payload store's result references: a reference must lie under the job's own prefix",
  "api/jobs/uploads.ts":
    "presigned uploads: names the new object's key (uploads/api/<uuid>), returned to the caller as its inputRef",
  "scheduler/moves/offboard.ts":
    "offboarding exports each object to a file named by its path under the tenant's prefix",
};

/** The key builders of shared/tenancy/keys.ts (its checks are not listed). */
export const KEY_BUILDERS = new Set([
  "tenantKey",
  "tenantPrefix",
  "jobKey",
  "jobPrefix",
  "uploadKey",
  "rejectedMessageKey",
]);

const S3_PACKAGES = new Set(["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner"]);
const PRODUCTION = new Set(["api", "cli", "scheduler", "shared", "workers"]);

/** @type {import("eslint").Rule.RuleModule} */
export const tenantKeysRule = {
  meta: {
    type: "problem",
    docs: {
      description: "only the blob store and the named modules build S3 clients or tenant keys",
    },
    schema: [],
    messages: {
      client:
        "{{file}} may not construct an S3 client: use the tenant-scoped blob store (rt.blobs, ctx.blobs); infra/lint/tenant-keys.js lists the modules that may",
      import:
        "{{file}} may not import {{source}}: use the tenant-scoped blob store (rt.blobs, ctx.blobs); infra/lint/tenant-keys.js lists the modules that may",
      key: "{{file}} may not build an S3 key with {{name}}(): pass key parts to the tenant-scoped blob store, which builds it; infra/lint/tenant-keys.js lists the modules that may",
    },
  },
  create(context) {
    const file = relative(context.cwd, context.filename).split(sep).join("/");
    if (!PRODUCTION.has(file.split("/")[0] ?? "") || file in TENANT_KEY_MODULES) return {};
    const typeOnly = (node) =>
      node.importKind === "type" ||
      (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === "type"));
    const checkSource = (node, source) => {
      if (typeof source === "string" && S3_PACKAGES.has(source))
        context.report({ node, messageId: "import", data: { file, source } });
    };
    return {
      ImportDeclaration(node) {
        if (!typeOnly(node)) checkSource(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === "Literal") checkSource(node, node.source.value);
      },
      ExportAllDeclaration(node) {
        if (node.exportKind !== "type") checkSource(node, node.source.value);
      },
      ExportNamedDeclaration(node) {
        if (node.source && node.exportKind !== "type") checkSource(node, node.source.value);
      },
      NewExpression(node) {
        if (node.callee.type === "Identifier" && node.callee.name === "S3Client")
          context.report({ node, messageId: "client", data: { file } });
      },
      CallExpression(node) {
        const callee = node.callee;
        const name =
          callee.type === "Identifier"
            ? callee.name
            : callee.type === "MemberExpression" && callee.property.type === "Identifier"
              ? callee.property.name
              : undefined;
        if (name !== undefined && KEY_BUILDERS.has(name))
          context.report({ node, messageId: "key", data: { file, name } });
      },
    };
  },
};
