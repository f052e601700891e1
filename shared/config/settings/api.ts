import { z } from "zod";
import { commaList, int, nonEmpty, type Setting } from "./kit.ts";

/** Uploads, presigned URLs and list cursors of the jobs API (these rows stand between the workers' and the scheduler's in the table). */
export const API_PAYLOAD_SETTINGS = {
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
} as const satisfies Record<string, Setting<unknown>>;

/** The jobs API server: listen address, JWT/JWKS, body limit, per-tenant rate, tenant cache. */
export const API_SERVER_SETTINGS = {
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
    schema: commaList.pipe(z.array(z.string().max(500)).min(1)),
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
    schema: commaList.pipe(z.array(z.enum(["RS256", "ES256"])).min(1)),
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
} as const satisfies Record<string, Setting<unknown>>;
