import type { Logger } from "pino";
import type { Tracing } from "../../shared/tracing/tracing.ts";
import type { BlobStore } from "../../shared/aws/s3.ts";
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { JobStore } from "../../shared/jobs/job-store.ts";
import type { PayloadStore } from "../../shared/payloads/payload-store.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { WorkflowCatalog } from "../../shared/workflows/catalog.ts";
import type { WorkflowCheck } from "../../shared/workflows/versions.ts";
import type { Quota } from "../../scheduler/quota/schema.ts";

/** Who is calling: the tenant comes from the verified token only (api/ auth), never from the request. */
export interface JobsPrincipal {
  readonly tenantId: TenantId;
  readonly subject: string;
}

/** Everything the job operations reach, each scoped to the principal's tenant at the call. */
export interface JobsApiDeps {
  readonly jobsOf: (tenant: TenantId) => JobStore;
  readonly sqs: Pick<SqsPort, "send" | "approximateDepth">;
  readonly intakeQueue: (tenant: TenantId) => Promise<{ queueUrl: string }>;
  readonly blobs: Pick<BlobStore, "head" | "presignGet" | "presignPut" | "placementOf">;
  readonly payloads: Pick<PayloadStore, "load">;
  /** The version a new job is created on (recorded first), or why the workflow is refused. */
  readonly workflowVersion: (name: string) => Promise<WorkflowCheck>;
  readonly catalog: () => WorkflowCatalog;
  /** The tenant's valid quota document (undefined: none, or never valid). */
  readonly quota: (tenant: TenantId) => Promise<Quota | undefined>;
  readonly now: () => number;
  readonly log: Logger;
  readonly settings: JobsApiSettings;
  /**
   * A submitted job's intake message was sent: clears its `intakePending` with the next batched
   * write (`IntakeConfirmations.sent`, ADR 0026).
   */
  readonly intakeSent: (tenant: TenantId, jobId: string) => void;
  /** The `submit` span of each submission (ADR 0027); default none. */
  readonly tracing?: Tracing;
}

export interface JobsApiSettings {
  /** Largest upload a presigned PUT allows (bytes). */
  readonly uploadMaxBytes: number;
  /** Lifetime of presigned upload and output URLs (seconds). */
  readonly urlTtlSeconds: number;
  /** HMAC key of list cursors (a cursor made with another key is `invalid_cursor`). */
  readonly cursorSecret: string;
}
