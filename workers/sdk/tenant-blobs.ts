/**
 * `ctx.blobs`: one tenant's objects, for one job's step. Every key is a full key
 * (`tenants/<tenant>/...`) checked by the tenant key builder (shared/tenancy/keys.ts, the only place
 * keys are built); a key of another tenant, or a malformed one, is the task error
 * `Sluice.ForbiddenKey`. Reads are size-limited (the store's SLUICE_CLAIM_CHECK_MAX_READ_BYTES, or a
 * smaller `maxBytes` per call → `Sluice.PayloadTooLarge`); writes go under the job's prefix
 * `tenants/<tenant>/jobs/<job>/`.
 */
import { AwsAdapterError } from "../../shared/aws/errors.ts";
import { ObjectTooLargeError, type BlobStore } from "../../shared/aws/s3.ts";
import {
  assertKeyBelongsToTenant,
  jobKey,
  TenantKeyError,
  type TenantKey,
} from "../../shared/tenancy/keys.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import { SDK_ERRORS, StepError } from "./step-error.ts";

export interface BlobReadOptions {
  /** Refuse objects larger than this (at most the worker's read limit). */
  maxBytes?: number;
}

export interface BlobInfo {
  key: string;
  bytes: number;
  contentType?: string;
}

/** Key parts under the job's prefix: `["pages", "1.png"]` or `"pages/1.png"`. */
export type KeyParts = readonly string[] | string;

export interface TenantBlobs {
  /** The object's bytes. */
  get(key: string, options?: BlobReadOptions): Promise<Uint8Array>;
  /** The object as UTF-8 text. */
  getText(key: string, options?: BlobReadOptions): Promise<string>;
  /** The object parsed as JSON (not JSON → `Sluice.InvalidBlob`). */
  getJson(key: string, options?: BlobReadOptions): Promise<unknown>;
  /** Size and type, or undefined when there is no such object. */
  head(key: string): Promise<BlobInfo | undefined>;
  /** Writes `tenants/<tenant>/jobs/<job>/<parts...>` (overwrites: a retried step writes the same key). */
  put(
    parts: KeyParts,
    body: Uint8Array | string,
    options?: { contentType?: string },
  ): Promise<{ key: string; bytes: number }>;
  /** The full key `put(parts, …)` writes, without writing. */
  keyFor(parts: KeyParts): string;
  /** Objects under the job's prefix (or `<job prefix>/<prefixParts...>/`), every page. */
  list(prefixParts?: KeyParts): Promise<BlobInfo[]>;
  /** A time-limited URL to GET the object (default 15 minutes). */
  presignGet(key: string, options?: { expiresInSeconds?: number }): Promise<string>;
}

function split(parts: KeyParts): string[] {
  return typeof parts === "string" ? parts.split("/") : [...parts];
}

/** Maps the store's and the key builder's errors to task errors a workflow can catch. */
function asStepError(err: unknown): unknown {
  if (err instanceof StepError) return err;
  if (err instanceof TenantKeyError) return new StepError(SDK_ERRORS.forbiddenKey, err.message);
  if (err instanceof ObjectTooLargeError) return new StepError(SDK_ERRORS.payloadTooLarge, err.message);
  if (err instanceof AwsAdapterError && err.code === "NotFound")
    return new StepError(SDK_ERRORS.blobNotFound, err.message);
  if (err instanceof AwsAdapterError && err.retryable)
    return new StepError(SDK_ERRORS.transient, `${err.code}: ${err.message}`);
  return err;
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asStepError(err);
  }
}

export function createTenantBlobs(store: BlobStore, tenant: TenantId, jobId: string): TenantBlobs {
  const own = (key: string): TenantKey => assertKeyBelongsToTenant(key, tenant);
  const under = (parts: KeyParts): TenantKey => {
    const [first, ...rest] = split(parts);
    if (first === undefined) throw new TenantKeyError("a key needs at least one part");
    return jobKey(tenant, jobId, first, ...rest);
  };

  async function get(key: string, options: BlobReadOptions = {}): Promise<Uint8Array> {
    return mapped(async () => {
      const k = own(key);
      const max = options.maxBytes;
      if (max !== undefined) {
        const info = await store.head(tenant, k);
        if (info && info.size > max) throw new ObjectTooLargeError(k, info.size, max);
      }
      const buf = await store.getBuffer(tenant, k);
      if (max !== undefined && buf.byteLength > max) throw new ObjectTooLargeError(k, buf.byteLength, max);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    });
  }

  const blobs: TenantBlobs = {
    get,
    async getText(key, options) {
      return Buffer.from(await get(key, options)).toString("utf8");
    },
    async getJson(key, options) {
      const text = await blobs.getText(key, options);
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new StepError(SDK_ERRORS.invalidBlob, `${key} is not valid JSON: ${(err as Error).message}`);
      }
    },
    head(key) {
      return mapped(async () => {
        const info = await store.head(tenant, own(key));
        if (!info) return undefined;
        return {
          key: info.key,
          bytes: info.size,
          ...(info.contentType !== undefined ? { contentType: info.contentType } : {}),
        };
      });
    },
    put(parts, body, options = {}) {
      return mapped(async () => {
        const bytes = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
        const { key } = await store.put(tenant, under(parts), body, {
          ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
        });
        return { key, bytes };
      });
    },
    keyFor(parts) {
      try {
        return under(parts);
      } catch (err) {
        throw asStepError(err);
      }
    },
    list(prefixParts) {
      return mapped(async () => {
        const extra = prefixParts === undefined ? [] : split(prefixParts);
        const out: BlobInfo[] = [];
        for await (const o of store.listAll(tenant, { under: ["jobs", jobId, ...extra] }))
          out.push({ key: o.key, bytes: o.size });
        return out;
      });
    },
    presignGet(key, options = {}) {
      return mapped(() => store.presignGet(tenant, own(key), options));
    },
  };
  return blobs;
}

/** Blobs for a context that has no store (a bare registry in a test): every call fails clearly. */
export function unavailableBlobs(): TenantBlobs {
  const fail = () => {
    throw new Error("ctx.blobs is not available: this worker was built without a blob store");
  };
  return {
    get: fail,
    getText: fail,
    getJson: fail,
    head: fail,
    put: fail,
    keyFor: fail,
    list: fail,
    presignGet: fail,
  };
}
