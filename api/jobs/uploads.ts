/**
 * `POST /v1/uploads`: a presigned S3 PUT for ONE new key under the tenant's prefix
 * (`tenants/<tenant>/uploads/api/<uuid>`, built by shared/tenancy/keys.ts only), short-lived
 * (`SLUICE_API_URL_TTL_SECONDS`), for exactly the declared size: `Content-Length` is signed into the
 * URL (a PUT of any other length is refused by S3), and the size is checked against
 * `SLUICE_API_UPLOAD_MAX_BYTES` here and again when a job names the upload. The answer's `inputRef`
 * is what `POST /v1/jobs` takes.
 */
import { randomUUID } from "node:crypto";
import { uploadHeaders } from "../../shared/aws/encryption.ts";
import { uploadKey } from "../../shared/tenancy/keys.ts";
import type { JobsApiDeps, JobsPrincipal } from "./jobs-deps.ts";
import { ApiError } from "../errors.ts";

export interface UploadRequest {
  readonly bytes: number;
  readonly contentType?: string;
  readonly filename?: string;
}

export interface UploadGrant {
  readonly inputRef: { readonly key: string };
  readonly url: string;
  readonly method: "PUT";
  /** Headers the PUT must send exactly (they are signed). */
  readonly headers: Record<string, string>;
  readonly expiresAt: string;
  readonly maxBytes: number;
}

export async function createUpload(
  deps: JobsApiDeps,
  principal: JobsPrincipal,
  request: UploadRequest,
  uuid: () => string = randomUUID,
): Promise<UploadGrant> {
  const max = deps.settings.uploadMaxBytes;
  if (request.bytes > max)
    throw new ApiError(413, "upload_too_large", `an upload is at most ${max} bytes`, { maxBytes: max });
  const key = uploadKey(principal.tenantId, "api", uuid());
  const ttl = deps.settings.urlTtlSeconds;
  const url = await deps.blobs.presignPut(principal.tenantId, key, {
    expiresInSeconds: ttl,
    contentLength: request.bytes,
    ...(request.contentType !== undefined ? { contentType: request.contentType } : {}),
  });
  return {
    inputRef: { key },
    url,
    method: "PUT",
    headers: {
      ...uploadHeaders(await deps.blobs.placementOf(principal.tenantId)),
      "content-length": String(request.bytes),
      ...(request.contentType !== undefined ? { "content-type": request.contentType } : {}),
    },
    expiresAt: new Date(deps.now() + ttl * 1000).toISOString(),
    maxBytes: max,
  };
}
