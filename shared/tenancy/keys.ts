import { isTenantIdShape, type TenantId } from "./tenant-id.ts";

/**
 * THE ONLY place that builds S3 keys. Every object lives under `tenants/<tenantId>/`, and a
 * `TenantKey` can only come from `tenantKey`/`jobKey` or from `assertKeyBelongsToTenant`, so adapters
 * that take a `TenantKey` cannot be handed a key from another tenant or a raw string.
 */
export type TenantKey = string & { readonly __brand: "TenantKey" };

export const TENANTS_ROOT = "tenants";
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** S3's limit is 1024 UTF-8 bytes per key. */
export const MAX_KEY_BYTES = 1024;

export class TenantKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TenantKeyError";
  }
}

function checkTenant(tenant: TenantId): void {
  // The brand is a compile-time promise; re-check because keys are a security boundary.
  if (!isTenantIdShape(tenant)) throw new TenantKeyError(`invalid tenant id ${JSON.stringify(tenant)}`);
}

/** Throws unless `part` is one safe path segment: non-empty, no `/`, not `.`/`..`, no control characters. */
export function checkKeyPart(part: string): void {
  if (typeof part !== "string" || part.length === 0) throw new TenantKeyError("key part must be non-empty");
  if (part.includes("/")) throw new TenantKeyError(`key part ${JSON.stringify(part)} contains "/"`);
  if (part === "." || part === "..")
    throw new TenantKeyError(`key part ${JSON.stringify(part)} is a dot segment`);
  if (CONTROL.test(part))
    throw new TenantKeyError(`key part ${JSON.stringify(part)} contains a control character`);
}

function checkLength(key: string): void {
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
    throw new TenantKeyError(`key exceeds ${MAX_KEY_BYTES} bytes`);
  }
}

/** `tenants/<tenantId>/` — the prefix every one of the tenant's keys starts with (for listing). */
export function tenantPrefix(tenant: TenantId, ...parts: string[]): string {
  checkTenant(tenant);
  parts.forEach(checkKeyPart);
  return [TENANTS_ROOT, tenant, ...parts].join("/") + "/";
}

/** `tenants/<tenantId>/<parts...>`; at least one part. */
export function tenantKey(tenant: TenantId, ...parts: [string, ...string[]]): TenantKey {
  checkTenant(tenant);
  if (parts.length === 0) throw new TenantKeyError("a tenant key needs at least one part");
  parts.forEach(checkKeyPart);
  const key = [TENANTS_ROOT, tenant, ...parts].join("/");
  checkLength(key);
  return key as TenantKey;
}

/** `tenants/<tenantId>/jobs/<jobId>/<name>[/<more>...]`. */
export function jobKey(tenant: TenantId, jobId: string, name: string, ...more: string[]): TenantKey {
  return tenantKey(tenant, "jobs", jobId, name, ...more);
}

/** `tenants/<tenantId>/jobs/<jobId>/` (for listing a job's objects). */
export function jobPrefix(tenant: TenantId, jobId: string): string {
  return tenantPrefix(tenant, "jobs", jobId);
}

/**
 * `tenants/<tenantId>/uploads/<name>[/<more>...]`: a document the tenant uploaded for its jobs to read
 * (a job message names it in its input, e.g. `{"document": {"key": ...}}`).
 */
export function uploadKey(tenant: TenantId, name: string, ...more: string[]): TenantKey {
  return tenantKey(tenant, "uploads", name, ...more);
}

/**
 * `tenants/<tenantId>/intake-rejected/<messageId>`: the body of a rejected intake message too large
 * to travel in its dead-letter copy (the copy references this key).
 */
export function rejectedMessageKey(tenant: TenantId, messageId: string): TenantKey {
  return tenantKey(tenant, "intake-rejected", messageId);
}

/**
 * Accepts a key that arrived from outside (a message, a document) only if it is a well-formed key of
 * `tenant`: under `tenants/<tenant>/`, every segment valid. Returns it as a `TenantKey`.
 */
export function assertKeyBelongsToTenant(key: string, tenant: TenantId): TenantKey {
  checkTenant(tenant);
  if (typeof key !== "string") throw new TenantKeyError("key must be a string");
  const prefix = `${TENANTS_ROOT}/${tenant}/`;
  if (!key.startsWith(prefix)) {
    throw new TenantKeyError(`key ${JSON.stringify(key.slice(0, 200))} does not belong to tenant ${tenant}`);
  }
  const rest = key.slice(prefix.length).split("/");
  try {
    rest.forEach(checkKeyPart);
  } catch (err) {
    throw new TenantKeyError(
      `key ${JSON.stringify(key.slice(0, 200))} is malformed: ${(err as Error).message}`,
    );
  }
  checkLength(key);
  return key as TenantKey;
}

/** True when `key` is a well-formed key of `tenant` (never throws). */
export function isTenantKey(key: string, tenant: TenantId): key is TenantKey {
  try {
    assertKeyBelongsToTenant(key, tenant);
    return true;
  } catch {
    return false;
  }
}
