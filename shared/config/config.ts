import type { OutboundLimits } from "../limits/outbound-limits.ts";
import { ConfigError } from "./config-error.ts";
import { tracesEndpoint } from "./settings/tracing.ts";
import { SETTINGS, type LOG_LEVELS, type ParsedSettings, type SettingName } from "./settings.ts";

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The compiled, frozen configuration every component receives. Built once by `loadConfig`. */
export interface SluiceConfig {
  readonly aws: {
    readonly region: string;
    readonly endpoint: string | undefined;
    readonly credentials:
      | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
      | undefined;
    readonly forcePathStyle: boolean;
    readonly sfnRoleArn: string;
  };
  readonly mongo: {
    readonly url: string;
    readonly db: string;
    /** How long a resolved tenant home is cached (`SLUICE_TENANT_ROUTE_TTL_MS`). */
    readonly routeTtlMs: number;
  };
  readonly s3: { readonly bucket: string };
  /** The fleet KMS key (bucket default encryption, queue SSE) and the account `iam policy` names. */
  readonly encryption: { readonly kmsKeyId: string | undefined; readonly accountId: string | undefined };
  readonly queues: { readonly prefix: string; readonly maxReceiveCount: number };
  readonly worker: {
    readonly concurrency: number;
    /** Work messages held beyond the free slots; undefined: a quarter of the concurrency, min 1. */
    readonly prefetch: number | undefined;
    readonly id: string | undefined;
    readonly pollWaitSeconds: number;
    readonly visibilityTimeoutSeconds: number;
    readonly leaseSeconds: number;
    /** Runs in a row without progress before a job is failed with `Sluice.Poison`. */
    readonly maxAttempts: number;
    /** Task states one job runs at once. */
    readonly jobTaskConcurrency: number;
    readonly shutdownGraceMs: number;
  };
  /** The jobs API's uploads, presigned URLs and list cursors. */
  readonly jobsApi: {
    readonly uploadMaxBytes: number;
    readonly urlTtlSeconds: number;
    readonly cursorSecret: string | undefined;
  };
  readonly claimCheck: {
    readonly thresholdBytes: number;
    /** Largest S3 object a claim-check read takes into memory. */
    readonly maxReadBytes: number;
  };
  readonly scheduler: {
    readonly intervalMs: number;
    /** Pause between ticks while work waits only for a slot or its tenant's cap. */
    readonly busyIntervalMs: number;
    /** Released jobs allowed to wait on the work queue; undefined: the workers' prefetch + a quarter of the live slots. */
    readonly releaseLead: number | undefined;
    /** WaitTimeSeconds of idle tenants' long polls; 0: short polls only. */
    readonly longPollSeconds: number;
    /** Sockets of the long-poll SQS client. */
    readonly intakeMaxSockets: number;
    /** This replica's id (tenant lease owner); undefined: derived from host, pid and a random suffix. */
    readonly id: string | undefined;
    /** Tenant lease and replica heartbeat length (ADR 0024). */
    readonly leaseMs: number;
    /** Least time between ownership rounds. */
    readonly renewMs: number;
    /** Visibility timeout of buffered intake messages. */
    readonly intakeVisibilitySeconds: number;
  };
  readonly sweeper: {
    readonly intervalMs: number;
    /** Undefined: 2 × the visibility timeout. */
    readonly redriveAfterMs: number | undefined;
  };
  /** Liveness: the worker's intake watchdog and dependency reachability (issue 9 bugs A, B). */
  readonly health: {
    readonly checkMs: number;
    readonly intakeStallMs: number;
    readonly mongoReconnectAfterMs: number;
    readonly exitAfterMs: number;
  };
  /** The `llm` step's provider, limits and budget default (workers/ai/llm). */
  readonly llm: {
    readonly provider: "none" | "bedrock" | "openai" | "local";
    readonly model: string | undefined;
    readonly openai: { readonly baseUrl: string | undefined; readonly apiKey: string | undefined };
    readonly bedrock: { readonly region: string; readonly endpoint: string | undefined };
    readonly timeoutMs: number;
    readonly maxTokens: number;
    /** Tokens per tenant per UTC month unless its tenant document sets `steps.llm.monthlyTokenBudget`. */
    readonly monthlyTokenBudget: number;
    readonly cacheDir: string | undefined;
  };
  /** The built-in `ocr` step's engine pool (one per worker process). */
  readonly ocr: { readonly poolSize: number };
  readonly log: { readonly level: LogLevel; readonly pretty: "auto" | "always" | "never" };
  /** Prometheus metrics (`SLUICE_METRICS_*`); no server when `port` is undefined. */
  readonly metrics: {
    readonly port: number | undefined;
    readonly host: string;
    readonly tenantSeries: number;
  };
  /** OpenTelemetry tracing (ADR 0027); off when `endpoint` is undefined. */
  readonly tracing: {
    /** Where spans are sent (OTLP/HTTP, the full traces URL). */
    readonly endpoint: string | undefined;
    /** The batch span processor's delay before an export. */
    readonly exportDelayMs: number;
  };
  /** The HTTP API (`api/`): where it listens, how it verifies tokens, its edge limits. */
  readonly api: ApiConfig;
  /** Steps' outbound call limits per provider (`ctx.limiter`). */
  readonly outbound: OutboundLimits;
  /** Users' own steps and workflows (`SLUICE_STEPS`, `SLUICE_WORKFLOWS_DIR`). */
  readonly extensions: { readonly steps: readonly string[]; readonly workflowsDir: string | undefined };
}

export interface ApiConfig {
  readonly host: string;
  readonly port: number;
  readonly auth: {
    /** Undefined: the API refuses to start (the other services do not need it). */
    readonly issuer: string | undefined;
    readonly jwksUrl: string | undefined;
    readonly audiences: readonly string[];
    readonly tokenUse: "access" | "id" | "any";
    readonly tenantClaim: string;
    readonly algorithms: readonly ("RS256" | "ES256")[];
    readonly clockSkewSeconds: number;
    readonly jwksCooldownMs: number;
    readonly jwksCacheMs: number;
  };
  readonly bodyLimitBytes: number;
  /** A tenant's edge rate when its tenant document has no `api` section. */
  readonly defaultRate: { readonly perSecond: number; readonly burst: number };
  readonly tenantCacheMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every setting from `env` (default `process.env`), returning a deeply frozen
 * `SluiceConfig`. Collects all problems first, then throws one `ConfigError` listing them.
 */
export function loadConfig(env: Env = process.env): SluiceConfig {
  const problems: string[] = [];
  const parsed = parseSettings(env, problems);
  checkCrossField(parsed, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(compile(parsed));
}

function parseSettings(env: Env, problems: string[]): ParsedSettings {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const given = env[name]?.trim();
    const raw = given === undefined || given === "" ? ("default" in s ? s.default : undefined) : given;
    if (raw === undefined) {
      if ("required" in s && s.required)
        problems.push(`${name}: expected ${s.expected}, got nothing (required)`);
      continue;
    }
    const result = s.schema.safeParse(raw);
    if (result.success) out[name] = result.data;
    else {
      const shown = "secret" in s && s.secret ? "<redacted>" : JSON.stringify(raw);
      problems.push(`${name}: expected ${s.expected}, got ${shown}`);
    }
  }
  return out as ParsedSettings;
}

function checkCrossField(p: ParsedSettings, problems: string[]): void {
  const hasKey = p.AWS_ACCESS_KEY_ID !== undefined;
  const hasSecret = p.AWS_SECRET_ACCESS_KEY !== undefined;
  if (hasKey !== hasSecret) {
    problems.push(
      `${hasKey ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"}: expected to be set together with ${
        hasKey ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"
      }, got nothing`,
    );
  }
  if (p.SLUICE_LLM_PROVIDER === "bedrock" || p.SLUICE_LLM_PROVIDER === "openai") {
    if (p.SLUICE_LLM_MODEL === undefined) {
      problems.push(
        `SLUICE_LLM_MODEL: expected a model id when SLUICE_LLM_PROVIDER is ${p.SLUICE_LLM_PROVIDER}, got nothing`,
      );
    }
  }
  if (p.SLUICE_LLM_PROVIDER === "openai" && p.SLUICE_LLM_BASE_URL === undefined) {
    problems.push(
      "SLUICE_LLM_BASE_URL: expected an http(s) URL when SLUICE_LLM_PROVIDER is openai, got nothing",
    );
  }
  if (p.AWS_SESSION_TOKEN !== undefined && !hasKey) {
    problems.push(`AWS_SESSION_TOKEN: expected only with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
  // A lease must survive a couple of missed ownership rounds before its margin (a quarter) is reached.
  if (p.SLUICE_SCHEDULER_RENEW_MS * 2 > p.SLUICE_SCHEDULER_LEASE_MS * 0.75) {
    problems.push(
      `SLUICE_SCHEDULER_RENEW_MS: expected at most ${Math.floor(p.SLUICE_SCHEDULER_LEASE_MS * 0.375)} (3/8 of SLUICE_SCHEDULER_LEASE_MS ${p.SLUICE_SCHEDULER_LEASE_MS}), got ${p.SLUICE_SCHEDULER_RENEW_MS}`,
    );
  }
}

function compile(p: ParsedSettings): SluiceConfig {
  const credentials =
    p.AWS_ACCESS_KEY_ID !== undefined && p.AWS_SECRET_ACCESS_KEY !== undefined
      ? {
          accessKeyId: p.AWS_ACCESS_KEY_ID,
          secretAccessKey: p.AWS_SECRET_ACCESS_KEY,
          ...(p.AWS_SESSION_TOKEN !== undefined ? { sessionToken: p.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  return {
    aws: {
      region: p.AWS_REGION,
      endpoint: p.AWS_ENDPOINT_URL,
      credentials,
      forcePathStyle: p.SLUICE_S3_FORCE_PATH_STYLE ?? p.AWS_ENDPOINT_URL !== undefined,
      sfnRoleArn: p.SLUICE_SFN_ROLE_ARN,
    },
    mongo: { url: p.MONGO_URL, db: p.SLUICE_DB, routeTtlMs: p.SLUICE_TENANT_ROUTE_TTL_MS },
    s3: { bucket: p.SLUICE_BUCKET },
    encryption: { kmsKeyId: p.SLUICE_KMS_KEY_ID, accountId: p.SLUICE_AWS_ACCOUNT_ID },
    queues: { prefix: p.SLUICE_QUEUE_PREFIX, maxReceiveCount: p.SLUICE_DLQ_MAX_RECEIVE_COUNT },
    worker: {
      concurrency: p.SLUICE_WORKER_CONCURRENCY,
      prefetch: p.SLUICE_WORKER_PREFETCH,
      id: p.SLUICE_WORKER_ID,
      pollWaitSeconds: p.SLUICE_POLL_WAIT_SECONDS,
      visibilityTimeoutSeconds: p.SLUICE_VISIBILITY_TIMEOUT_SECONDS,
      leaseSeconds: p.SLUICE_LEASE_SECONDS,
      maxAttempts: p.SLUICE_JOB_MAX_ATTEMPTS,
      jobTaskConcurrency: p.SLUICE_JOB_TASK_CONCURRENCY,
      shutdownGraceMs: p.SLUICE_SHUTDOWN_GRACE_MS,
    },
    jobsApi: {
      uploadMaxBytes: p.SLUICE_API_UPLOAD_MAX_BYTES,
      urlTtlSeconds: p.SLUICE_API_URL_TTL_SECONDS,
      cursorSecret: p.SLUICE_API_CURSOR_SECRET,
    },
    claimCheck: {
      thresholdBytes: p.SLUICE_CLAIM_CHECK_THRESHOLD_BYTES,
      maxReadBytes: p.SLUICE_CLAIM_CHECK_MAX_READ_BYTES,
    },
    scheduler: {
      intervalMs: p.SLUICE_SCHEDULER_INTERVAL_MS,
      busyIntervalMs: p.SLUICE_SCHEDULER_BUSY_INTERVAL_MS,
      releaseLead: p.SLUICE_SCHEDULER_RELEASE_LEAD,
      longPollSeconds: p.SLUICE_INTAKE_LONG_POLL_SECONDS,
      intakeMaxSockets: p.SLUICE_INTAKE_MAX_SOCKETS,
      id: p.SLUICE_SCHEDULER_ID,
      leaseMs: p.SLUICE_SCHEDULER_LEASE_MS,
      renewMs: p.SLUICE_SCHEDULER_RENEW_MS,
      intakeVisibilitySeconds: p.SLUICE_SCHEDULER_INTAKE_VISIBILITY_SECONDS,
    },
    sweeper: {
      intervalMs: p.SLUICE_SWEEPER_INTERVAL_MS,
      redriveAfterMs: p.SLUICE_SWEEPER_REDRIVE_AFTER_MS,
    },
    health: {
      checkMs: p.SLUICE_HEALTH_CHECK_MS,
      intakeStallMs: p.SLUICE_INTAKE_STALL_MS,
      mongoReconnectAfterMs: p.SLUICE_MONGO_RECONNECT_AFTER_MS,
      exitAfterMs: p.SLUICE_DEPENDENCY_EXIT_AFTER_MS,
    },
    llm: {
      provider: p.SLUICE_LLM_PROVIDER,
      model: p.SLUICE_LLM_MODEL,
      openai: { baseUrl: p.SLUICE_LLM_BASE_URL, apiKey: p.SLUICE_LLM_API_KEY },
      bedrock: {
        region: p.SLUICE_LLM_BEDROCK_REGION ?? p.AWS_REGION,
        endpoint: p.SLUICE_LLM_BEDROCK_ENDPOINT,
      },
      timeoutMs: p.SLUICE_LLM_TIMEOUT_MS,
      maxTokens: p.SLUICE_LLM_MAX_TOKENS,
      monthlyTokenBudget: p.SLUICE_LLM_MONTHLY_TOKEN_BUDGET,
      cacheDir: p.SLUICE_LLM_CACHE_DIR,
    },
    ocr: { poolSize: p.SLUICE_OCR_POOL_SIZE },
    log: { level: p.LOG_LEVEL, pretty: p.LOG_PRETTY },
    metrics: {
      port: p.SLUICE_METRICS_PORT,
      host: p.SLUICE_METRICS_HOST,
      tenantSeries: p.SLUICE_METRICS_TENANT_SERIES,
    },
    tracing: {
      endpoint: tracesEndpoint(p.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, p.OTEL_EXPORTER_OTLP_ENDPOINT),
      exportDelayMs: p.SLUICE_TRACING_EXPORT_DELAY_MS,
    },
    api: {
      host: p.SLUICE_API_HOST,
      port: p.SLUICE_API_PORT,
      auth: {
        issuer: p.SLUICE_API_JWT_ISSUER,
        jwksUrl:
          p.SLUICE_API_JWKS_URL ??
          (p.SLUICE_API_JWT_ISSUER !== undefined
            ? `${p.SLUICE_API_JWT_ISSUER.replace(/\/+$/, "")}/.well-known/jwks.json`
            : undefined),
        audiences: p.SLUICE_API_JWT_AUDIENCE ?? [],
        tokenUse: p.SLUICE_API_TOKEN_USE,
        tenantClaim: p.SLUICE_API_TENANT_CLAIM,
        algorithms: p.SLUICE_API_JWT_ALGORITHMS,
        clockSkewSeconds: p.SLUICE_API_CLOCK_SKEW_SECONDS,
        jwksCooldownMs: p.SLUICE_API_JWKS_COOLDOWN_MS,
        jwksCacheMs: p.SLUICE_API_JWKS_CACHE_MS,
      },
      bodyLimitBytes: p.SLUICE_API_BODY_LIMIT_BYTES,
      defaultRate: {
        perSecond: p.SLUICE_API_DEFAULT_RATE_PER_SECOND,
        burst: p.SLUICE_API_DEFAULT_RATE_BURST,
      },
      tenantCacheMs: p.SLUICE_API_TENANT_CACHE_MS,
    },
    outbound: p.SLUICE_OUTBOUND_LIMITS,
    extensions: { steps: p.SLUICE_STEPS ?? [], workflowsDir: p.SLUICE_WORKFLOWS_DIR },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
