import { z } from "zod";
import { OutboundLimitsSchema } from "../limits/outbound-limits.ts";

/**
 * The table of every environment setting Sluice reads. Each entry parses one raw string (after the
 * default is applied) with zod; `expected` words the error line and `description` the docs row.
 * Defaults are written as the raw environment string, so the docs show exactly what to type.
 */
export interface Setting<T> {
  readonly schema: z.ZodType<T, string>;
  /** Raw default, as it would appear in the environment. */
  readonly default?: string;
  /** When no default applies: required settings are reported if missing; others resolve to undefined. */
  readonly required?: boolean;
  /** Completes "expected …, got "x"". */
  readonly expected: string;
  readonly description: string;
  /** Never echo the value in errors. */
  readonly secret?: boolean;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^[+-]?\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const bool = z
  .string()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((v) => v === "true" || v === "1" || v === "yes");

const nonEmpty = z.string().min(1);

/** A JSON document in one environment variable, validated by `schema`. */
const json = <T>(schema: z.ZodType<T>) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const SETTINGS = {
  AWS_ENDPOINT_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description: "AWS endpoint override, e.g. LocalStack `http://127.0.0.1:4566`. Unset for real AWS.",
  },
  AWS_REGION: {
    schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
    default: "us-east-1",
    expected: "an AWS region such as us-east-1",
    description: "AWS region for SQS, S3 and Step Functions.",
  },
  AWS_ACCESS_KEY_ID: {
    schema: nonEmpty,
    expected: "a non-empty string",
    description: "Static access key id; unset to use the SDK's default credential chain.",
  },
  AWS_SECRET_ACCESS_KEY: {
    schema: nonEmpty,
    expected: "a non-empty string",
    secret: true,
    description: "Static secret access key (set together with AWS_ACCESS_KEY_ID).",
  },
  AWS_SESSION_TOKEN: {
    schema: nonEmpty,
    expected: "a non-empty string",
    secret: true,
    description: "Optional session token for temporary static credentials.",
  },
  SLUICE_S3_FORCE_PATH_STYLE: {
    schema: bool,
    expected: "true or false",
    description: "Path-style S3 URLs. Defaults to true when AWS_ENDPOINT_URL is set, else false.",
  },
  SLUICE_SFN_ROLE_ARN: {
    schema: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/),
    default: "arn:aws:iam::000000000000:role/sluice-stepfunctions",
    expected: "an IAM role ARN",
    description: "Role Step Functions state machines run as (the default suits LocalStack).",
  },
  MONGO_URL: {
    schema: z.string().regex(/^mongodb(\+srv)?:\/\/.+/),
    required: true,
    expected: "a mongodb:// or mongodb+srv:// URL",
    secret: true,
    description: "MongoDB connection string, e.g. `mongodb://127.0.0.1:27017/?directConnection=true`.",
  },
  SLUICE_DB: {
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,38}$/),
    default: "sluice",
    expected: "a database name of 1-38 letters, digits, '_' or '-'",
    description: "MongoDB database for shared-tier data.",
  },
  SLUICE_TENANT_ROUTE_TTL_MS: {
    schema: int(0, 600_000),
    default: "5000",
    expected: "an integer from 0 to 600000",
    description:
      "How long a process keeps a tenant's resolved home (tier and storage of its tenant document) before reading it again; 0 reads it on every call.",
  },
  SLUICE_BUCKET: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    default: "sluice-data",
    expected: "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
    description: "S3 bucket holding tenant payloads under `tenants/<tenantId>/`.",
  },
  SLUICE_KMS_KEY_ID: {
    schema: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]+)$/,
      ),
    expected: "a KMS key id, key ARN, alias/<name> or alias ARN",
    description:
      "The fleet's KMS key: the bucket's default encryption (SSE-KMS) and the queues' SSE, set by `provision`. Unset: SSE-S3 and SQS-managed SSE. A tenant's own key is `storage.kmsKeyId` in its tenant document.",
  },
  SLUICE_AWS_ACCOUNT_ID: {
    schema: z.string().regex(/^\d{12}$/),
    expected: "a 12-digit AWS account id",
    description:
      "The account in the resource ARNs `iam policy` prints (queues, KMS keys). Read by nothing else.",
  },
  SLUICE_QUEUE_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/),
    default: "sluice",
    expected: "1-24 letters, digits, '_' or '-'",
    description: "Prefix of every SQS queue name (`<prefix>-intake-<tenant>`, `<prefix>-work`).",
  },
  SLUICE_DLQ_MAX_RECEIVE_COUNT: {
    schema: int(1, 1000),
    default: "5",
    expected: "an integer from 1 to 1000",
    description: "Receives before SQS moves a message to the queue's dead-letter queue.",
  },
  SLUICE_WORKER_CONCURRENCY: {
    schema: int(1, 10_000),
    default: "8",
    expected: "a positive integer",
    description: "Jobs one worker process runs at once.",
  },
  SLUICE_WORKER_PREFETCH: {
    schema: int(0, 100),
    expected: "an integer from 0 to 100",
    description:
      "Work messages a worker holds beyond its free slots (not yet claimed), so a freed slot starts the next job without a receive; taken only while the work queue has work waiting and slots turn over within a second; unset: a quarter of the concurrency (at least 1); 0 disables it.",
  },
  SLUICE_WORKER_ID: {
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    expected: "1-64 letters, digits, '_', '.', ':' or '-'",
    description: "Lease owner id of this worker; unset to derive one from host and pid.",
  },
  SLUICE_POLL_WAIT_SECONDS: {
    schema: int(0, 20),
    default: "20",
    expected: "an integer from 0 to 20",
    description: "SQS long-poll wait time for receives.",
  },
  SLUICE_VISIBILITY_TIMEOUT_SECONDS: {
    schema: int(1, 43_200),
    default: "30",
    expected: "an integer from 1 to 43200",
    description:
      "SQS visibility timeout of the work queue; a worker extends it for as long as the job is in the worker (every third of the shorter of this and the lease).",
  },
  SLUICE_LEASE_SECONDS: {
    schema: int(1, 86_400),
    default: "60",
    expected: "an integer from 1 to 86400",
    description:
      "Job lease length in MongoDB; the worker running a job extends it for as long as the job is in the worker; the sweeper requeues jobs whose lease expired.",
  },
  SLUICE_JOB_MAX_ATTEMPTS: {
    schema: int(1, 1000),
    default: "5",
    expected: "an integer from 1 to 1000",
    description:
      "Runs of one job in a row that may end without progress (no checkpoint: its worker died, its lease was lost, the run failed) before the job is failed with `Sluice.Poison` and the reason; counted on the job document across redeliveries, sweeps and workers, reset by any progress.",
  },
  SLUICE_CLAIM_CHECK_THRESHOLD_BYTES: {
    schema: int(1, 262_144),
    default: "196608",
    expected: "an integer from 1 to 262144",
    description: "Payloads larger than this go to S3 and travel as a reference (claim check).",
  },
  SLUICE_CLAIM_CHECK_MAX_READ_BYTES: {
    schema: int(1024),
    default: "67108864",
    expected: "an integer of at least 1024",
    description:
      "Largest S3 object a claim-check read takes into memory (a job's `inputRef`, stored execution states and results, review data): checked with a HEAD before reading and enforced while reading; a larger one fails its job with `Sluice.PayloadTooLarge` and the reason.",
  },
  SLUICE_API_UPLOAD_MAX_BYTES: {
    schema: int(1),
    default: "67108864",
    expected: "a positive integer",
    description:
      "Largest upload `POST /v1/uploads` grants (its size is signed into the presigned PUT) and largest uploaded object a job may name as `inputRef`.",
  },
  SLUICE_API_URL_TTL_SECONDS: {
    schema: int(1, 604_800),
    default: "300",
    expected: "an integer from 1 to 604800",
    description: "Lifetime of the API's presigned URLs: upload PUTs and stored job outputs' GETs.",
  },
  SLUICE_API_CURSOR_SECRET: {
    schema: z.string().min(16),
    expected: "a string of at least 16 characters",
    description:
      "HMAC key of the API's list cursors; give every API replica the same one. Unset: a random key per process (a cursor is then valid only on the process that made it).",
    secret: true,
  },
  SLUICE_SCHEDULER_INTERVAL_MS: {
    schema: int(10, 3_600_000),
    default: "200",
    expected: "an integer from 10 to 3600000",
    description: "Pause between scheduler release ticks when there is nothing to release or wait for.",
  },
  SLUICE_SCHEDULER_BUSY_INTERVAL_MS: {
    schema: int(1, 60_000),
    default: "25",
    expected: "an integer from 1 to 60000",
    description:
      "Pause between scheduler ticks while work waits only for a worker slot or its tenant's cap (how soon a freed slot is refilled).",
  },
  SLUICE_SCHEDULER_RELEASE_LEAD: {
    schema: int(0, 10_000),
    expected: "an integer from 0 to 10000",
    description:
      "Released jobs allowed to wait on the work queue beyond free worker slots, so a freed slot finds work at once; unset: a quarter of the live slots (at least 1); 0 disables it. Caps still hold.",
  },
  SLUICE_INTAKE_LONG_POLL_SECONDS: {
    schema: int(0, 20),
    default: "20",
    expected: "an integer from 0 to 20",
    description:
      "WaitTimeSeconds of the SQS long poll that watches each idle tenant's intake queue (a tenant without backlog costs one request per this many seconds; its first message is released as soon as the poll returns it). 0 turns long polls off: every tenant is short-polled every 200 ms, as before ADR 0023.",
  },
  SLUICE_INTAKE_MAX_SOCKETS: {
    schema: int(1, 100_000),
    default: "1000",
    expected: "an integer from 1 to 100000",
    description:
      "Sockets of the scheduler's long-poll SQS client (one open poll per idle tenant it owns): keep it above the tenants one scheduler replica owns, plus headroom; polls beyond it wait for a socket.",
  },
  SLUICE_SCHEDULER_ID: {
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    expected: "1-64 letters, digits, '_', '.', ':' or '-'",
    description:
      "This scheduler replica's id: owner of its tenant leases (`scheduler_leases`) and name of its `scheduler_stats` documents; unset to derive one from host, pid and a random suffix.",
  },
  SLUICE_SCHEDULER_LEASE_MS: {
    schema: int(1_000, 600_000),
    default: "10000",
    expected: "an integer from 1000 to 600000",
    description:
      "Length of a scheduler replica's tenant leases and heartbeat: a replica that dies loses its tenants to the others this long after its last renewal (plus one ownership round). A replica stops releasing a tenant's messages when less than a quarter of this is left on its lease.",
  },
  SLUICE_SCHEDULER_RENEW_MS: {
    schema: int(100, 60_000),
    default: "1000",
    expected: "an integer from 100 to 60000",
    description:
      "Least time between a scheduler replica's ownership rounds (heartbeat, renew its leases, rebalance tenants); must be well under a quarter of SLUICE_SCHEDULER_LEASE_MS.",
  },
  SLUICE_SCHEDULER_INTAKE_VISIBILITY_SECONDS: {
    schema: int(5, 43_200),
    default: "60",
    expected: "an integer from 5 to 43200",
    description:
      "Visibility timeout of the intake messages a scheduler holds in its buffers (extended while held). A replica that dies holds its buffered messages this long before the tenant's next owner can receive them.",
  },
  SLUICE_SWEEPER_INTERVAL_MS: {
    schema: int(100, 3_600_000),
    default: "1000",
    expected: "an integer from 100 to 3600000",
    description: "Pause between sweeper ticks (expired leases, due wake-ups).",
  },
  SLUICE_SWEEPER_REDRIVE_AFTER_MS: {
    schema: int(1000, 86_400_000),
    expected: "an integer from 1000 to 86400000",
    description:
      "Age after which the sweeper re-sends the work message of a `queued` job nobody claimed; default 2 × the visibility timeout.",
  },
  SLUICE_JOB_TASK_CONCURRENCY: {
    schema: int(1, 1000),
    default: "4",
    expected: "an integer from 1 to 1000",
    description: "Task states one job runs at once (Parallel and Map branches), within the worker's slots.",
  },
  SLUICE_SHUTDOWN_GRACE_MS: {
    schema: int(0, 3_600_000),
    default: "10000",
    expected: "an integer from 0 to 3600000",
    description:
      "On SIGTERM/SIGINT, how long running jobs get to reach a resting point before they are released.",
  },
  SLUICE_HEALTH_CHECK_MS: {
    schema: int(100, 60_000),
    default: "1000",
    expected: "an integer from 100 to 60000",
    description:
      "Period of the worker's liveness watchdog and of the MongoDB reachability probe (workers and scheduler).",
  },
  SLUICE_INTAKE_STALL_MS: {
    schema: int(1000, 3_600_000),
    default: "10000",
    expected: "an integer from 1000 to 3600000",
    description:
      "A worker with free slots that sent no receive for this long (or whose receive hangs this long past the poll wait) has its intake restarted; after 3 restarts without a successful receive it exits 1.",
  },
  SLUICE_MONGO_RECONNECT_AFTER_MS: {
    schema: int(1000, 3_600_000),
    default: "10000",
    expected: "an integer from 1000 to 3600000",
    description:
      "MongoDB unreachable this long: the process recreates its client (again every such period while it stays down). Workers stop receiving work while MongoDB is unreachable.",
  },
  SLUICE_DEPENDENCY_EXIT_AFTER_MS: {
    schema: int(1000, 86_400_000),
    default: "120000",
    expected: "an integer from 1000 to 86400000",
    description:
      "MongoDB or the work queue unreachable this long: the worker or scheduler exits 1 for its supervisor to replace it. At start-up, the same budget: an unreachable MongoDB or SQS is retried (250 ms doubling to 5 s) before the process gives up.",
  },
  SLUICE_OUTBOUND_LIMITS: {
    schema: json(OutboundLimitsSchema),
    default: "{}",
    expected:
      'JSON {"<provider>": {"concurrency"?, "requestsPerMinute"?, "tokensPerMinute"?, "perTenant"?: {…the same}}} (positive integers)',
    description:
      "Limits on steps' outbound calls through `ctx.limiter`, per provider for this worker and (`perTenant`) for each tenant's share; a tenant document's `outbound.<provider>` overrides its share. A call over a limit waits, heartbeating. See \"Write your own step\".",
  },
  SLUICE_LLM_PROVIDER: {
    schema: z
      .string()
      .toLowerCase()
      .pipe(z.enum(["none", "bedrock", "openai", "local"])),
    default: "none",
    expected: "none, bedrock, openai or local",
    description:
      "Provider of the `llm` step: `bedrock` (Converse API), `openai` (any OpenAI-compatible endpoint), `local` (SmolLM2-135M through node-llama-cpp, installed into the cache on first use) or `none` (the step fails with `Sluice.LlmNotConfigured`).",
  },
  SLUICE_LLM_MODEL: {
    schema: z.string().min(1).max(2048),
    expected: "a model id",
    description:
      "Model of the `llm` step: a Bedrock model or inference-profile id, or the OpenAI-compatible server's model name. Required for `bedrock` and `openai`; `local` runs its pinned model.",
  },
  SLUICE_LLM_BASE_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description:
      "Base URL of the OpenAI-compatible endpoint, up to `/v1` (e.g. `https://api.openai.com/v1`); required for `openai`.",
  },
  SLUICE_LLM_API_KEY: {
    schema: nonEmpty,
    expected: "a non-empty string",
    secret: true,
    description: "Bearer key for the OpenAI-compatible endpoint (unset for servers that need none).",
  },
  SLUICE_LLM_BEDROCK_REGION: {
    schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
    expected: "an AWS region such as us-east-1",
    description:
      "Region of Bedrock; unset: AWS_REGION. Credentials are the AWS ones above (or the default chain).",
  },
  SLUICE_LLM_BEDROCK_ENDPOINT: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description:
      "Bedrock runtime endpoint override (a VPC endpoint, a proxy); unset: the regional endpoint. AWS_ENDPOINT_URL (LocalStack) is not used for Bedrock.",
  },
  SLUICE_LLM_TIMEOUT_MS: {
    schema: int(1000, 3_600_000),
    default: "120000",
    expected: "an integer from 1000 to 3600000",
    description:
      "Longest one LLM call may take before it fails with `Sluice.LlmTimeout` (retryable); the local model's first call also installs and loads it.",
  },
  SLUICE_LLM_MAX_TOKENS: {
    schema: int(1, 1_000_000),
    default: "1024",
    expected: "an integer from 1 to 1000000",
    description:
      "Longest answer an `llm` call may ask for (a larger `maxTokens` is cut to it), and its default `maxTokens`.",
  },
  SLUICE_LLM_MONTHLY_TOKEN_BUDGET: {
    schema: int(0),
    default: "1000000",
    expected: "a non-negative integer",
    description:
      "LLM tokens (input + output) a tenant may use per UTC month when its tenant document sets no `steps.llm.monthlyTokenBudget`; a call that could exceed it fails with `Sluice.TokenBudgetExceeded` before reaching the provider.",
  },
  SLUICE_LLM_CACHE_DIR: {
    schema: nonEmpty,
    expected: "a directory path",
    description:
      "Where the local provider installs node-llama-cpp and the model on first use; unset: `${XDG_CACHE_HOME:-~/.cache}/sluice/llm`.",
  },
  SLUICE_STEPS: {
    schema: z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p.length > 0),
      )
      .pipe(z.array(z.string().max(1000))),
    expected: "a comma-separated list of module paths",
    description:
      "Your own step modules the worker loads at start (paths relative to the working directory, or package names): each exports `defineStep` steps, or arrays of them. A module that cannot be loaded, exports no step, or a step name that clashes with a built-in or another module's is a configuration error (exit 2).",
  },
  SLUICE_WORKFLOWS_DIR: {
    schema: nonEmpty,
    expected: "a directory path",
    description:
      "A folder of your own `<name>.asl.json` workflows, loaded by workers and the scheduler besides `statemachines/`; a name that clashes with a built-in workflow is a configuration error (exit 2).",
  },
  SLUICE_OCR_POOL_SIZE: {
    schema: int(1, 16),
    default: "1",
    expected: "an integer from 1 to 16",
    description:
      "OCR engines (tesseract.js threads, ~160 MB and one core each while reading) a worker process keeps for the `ocr` step, shared by all its jobs; created on first use, more pages wait in line.",
  },
  SLUICE_METRICS_PORT: {
    schema: int(0, 65_535),
    expected: "a port number from 0 to 65535",
    description:
      "Serve Prometheus metrics at `GET /metrics` on this port (each process its own: scheduler, worker, API). Unset: no metrics server. `0` picks a free port (logged).",
  },
  SLUICE_METRICS_HOST: {
    schema: nonEmpty,
    default: "0.0.0.0",
    expected: "a host name or address",
    description: "Address the metrics server listens on (`127.0.0.1` keeps it local).",
  },
  SLUICE_METRICS_TENANT_SERIES: {
    schema: int(0, 100_000),
    default: "100",
    expected: "an integer from 0 to 100000",
    description:
      'Distinct tenants a process exports per-tenant series for; later tenants are summed under `tenant="other"` (guards Prometheus against one series per tenant of a large fleet).',
  },
  SLUICE_API_HOST: {
    schema: nonEmpty,
    default: "127.0.0.1",
    expected: "a host name or IP address",
    description: "Address the API (`api/main.ts`) listens on; `0.0.0.0` in a container.",
  },
  SLUICE_API_PORT: {
    schema: int(0, 65_535),
    default: "8080",
    expected: "an integer from 0 to 65535",
    description: "TCP port of the API (0: any free port, logged at start).",
  },
  SLUICE_API_JWT_ISSUER: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description:
      "The API's token issuer: the exact `iss` of accepted tokens (Cognito: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`). Required by the API.",
  },
  SLUICE_API_JWKS_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description:
      "Where the issuer publishes its signing keys; unset: `<issuer>/.well-known/jwks.json` (Cognito's).",
  },
  SLUICE_API_JWT_AUDIENCE: {
    schema: z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((a) => a.trim())
          .filter((a) => a.length > 0),
      )
      .pipe(z.array(z.string().max(500)).min(1)),
    expected: "a comma-separated list of audiences or client ids",
    description:
      "Accepted audiences: a token passes when its `aud` or its `client_id` (Cognito access tokens have no `aud`) is one of these. Required by the API.",
  },
  SLUICE_API_TOKEN_USE: {
    schema: z
      .string()
      .toLowerCase()
      .pipe(z.enum(["access", "id", "any"])),
    default: "access",
    expected: "access, id or any",
    description:
      "The `token_use` claim tokens must carry (Cognito: `access` for API calls); `any` does not check it (issuers without the claim).",
  },
  SLUICE_API_TENANT_CLAIM: {
    schema: z.string().min(1).max(200),
    default: "custom:tenant_id",
    expected: "a claim name",
    description:
      "The claim that names the caller's tenant (the only source of the tenant, never the path or body). Cognito access tokens carry it when a pre-token-generation trigger adds it.",
  },
  SLUICE_API_JWT_ALGORITHMS: {
    schema: z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((a) => a.trim())
          .filter((a) => a.length > 0),
      )
      .pipe(z.array(z.enum(["RS256", "ES256"])).min(1)),
    default: "RS256,ES256",
    expected: "a comma-separated list of RS256 and ES256",
    description: "Signature algorithms accepted (`none` and HMAC are never accepted).",
  },
  SLUICE_API_CLOCK_SKEW_SECONDS: {
    schema: int(0, 300),
    default: "30",
    expected: "an integer from 0 to 300",
    description: "Clock skew allowed when checking a token's `exp` and `nbf`.",
  },
  SLUICE_API_JWKS_COOLDOWN_MS: {
    schema: int(0, 3_600_000),
    default: "30000",
    expected: "an integer from 0 to 3600000",
    description:
      "After a JWKS fetch, how long a token with an unknown `kid` is refused without fetching again (a rotated key is picked up after this; forged kids cannot make the API hammer the issuer).",
  },
  SLUICE_API_JWKS_CACHE_MS: {
    schema: int(1000, 86_400_000),
    default: "600000",
    expected: "an integer from 1000 to 86400000",
    description: "How long fetched signing keys are used before the JWKS is fetched again.",
  },
  SLUICE_API_BODY_LIMIT_BYTES: {
    schema: int(1024, 16_777_216),
    default: "262144",
    expected: "an integer from 1024 to 16777216",
    description:
      "Largest request body the API reads (larger: 413 `payload_too_large`); the default leaves room around the 200 KiB inline input.",
  },
  SLUICE_API_DEFAULT_RATE_PER_SECOND: {
    schema: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number)
      .pipe(z.number().gt(0).max(1_000_000)),
    default: "20",
    expected: "a number > 0",
    description:
      "Requests per second a tenant may make to the API when its tenant document has no `api` section (a token bucket per tenant; over it: 429 with `Retry-After`).",
  },
  SLUICE_API_DEFAULT_RATE_BURST: {
    schema: int(1, 1_000_000),
    default: "40",
    expected: "a positive integer",
    description: "Requests a tenant may make back to back when its tenant document has no `api` section.",
  },
  SLUICE_API_TENANT_CACHE_MS: {
    schema: int(0, 60_000),
    default: "1000",
    expected: "an integer from 0 to 60000",
    description:
      "How long the API keeps a tenant document it read (status, API rate) before reading it again; a suspension applies within this.",
  },
  LOG_LEVEL: {
    schema: z.string().toLowerCase().pipe(z.enum(LOG_LEVELS)),
    default: "info",
    expected: `one of ${LOG_LEVELS.join(", ")}`,
    description: "Minimum log level.",
  },
  LOG_PRETTY: {
    schema: z
      .string()
      .toLowerCase()
      .pipe(z.enum(["auto", "always", "never"])),
    default: "auto",
    expected: "auto, always or never",
    description: "Pretty logs: `auto` when stdout is a terminal and pino-pretty is installed.",
  },
} as const satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;

/** The parsed value of every setting (undefined where optional and unset). */
export type ParsedSettings = {
  [K in SettingName]: (typeof SETTINGS)[K] extends { default: string } | { required: true }
    ? z.output<(typeof SETTINGS)[K]["schema"]>
    : z.output<(typeof SETTINGS)[K]["schema"]> | undefined;
};
