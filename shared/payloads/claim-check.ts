import type { BlobStore } from "../aws/s3.ts";
import type { Payload } from "../jobs/job-doc.ts";
import { assertKeyBelongsToTenant } from "../tenancy/keys.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";

/**
 * Claim check for job data. Values whose JSON is at most `thresholdBytes` stay inline in the job
 * document; larger ones are written to S3 under `tenants/<tenant>/jobs/<job>/<name>.json` and the
 * document keeps only `{ s3: { key, bytes } }`. Keeps every job document far below MongoDB's 16 MiB
 * limit and every SQS message below 256 KiB (messages carry only job ids).
 */
export interface ClaimCheck {
  store(tenant: TenantId, jobId: string, name: string, value: unknown): Promise<Payload>;
  load(tenant: TenantId, payload: Payload): Promise<unknown>;
}

export function createClaimCheck(blobs: BlobStore, thresholdBytes: number): ClaimCheck {
  return {
    async store(tenant, jobId, name, value) {
      const json = JSON.stringify(value ?? null);
      const bytes = Buffer.byteLength(json, "utf8");
      if (bytes <= thresholdBytes) return { inline: JSON.parse(json) as never };
      const { key } = await blobs.put(tenant, ["jobs", jobId, `${name}.json`], json, {
        contentType: "application/json",
      });
      return { s3: { key, bytes } };
    },
    async load(tenant, payload) {
      if ("inline" in payload) return payload.inline;
      return blobs.getJson(tenant, assertKeyBelongsToTenant(payload.s3.key, tenant));
    },
  };
}
