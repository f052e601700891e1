/**
 * The OpenAPI 3.1 document of the API, generated from the same zod schemas the routes validate with
 * (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is): request parameters and
 * bodies as their input types, responses as their output types, the bearer security scheme with the
 * scope each operation needs, and every error response pointing at the one `Error` schema, its
 * stable codes listed.
 */
import { z } from "zod";
import { SCOPE_DESCRIPTIONS } from "../auth/scopes.ts";
import { ERROR_CODES, ErrorBodySchema, errorCodesMarkdown, type ErrorCode } from "../errors.ts";
import type { AnyRouteSpec } from "./route.ts";

type Json = Record<string, unknown>;

/** Errors any authenticated operation can answer. */
export const AUTHENTICATED_ERRORS: readonly ErrorCode[] = [
  "missing_token",
  "invalid_token",
  "token_expired",
  "insufficient_scope",
  "tenant_unknown",
  "tenant_suspended",
  "rate_limited",
  "unavailable",
];

/** Errors every operation can answer. */
export const COMMON_ERRORS: readonly ErrorCode[] = ["internal"];

/** Errors of an operation that reads a body or parameters. */
const INPUT_ERRORS: readonly ErrorCode[] = ["invalid_request"];
const BODY_ERRORS: readonly ErrorCode[] = ["invalid_json", "payload_too_large", "unsupported_media_type"];

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export function buildOpenApi(routes: readonly AnyRouteSpec[], info: OpenApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: "3.1.0",
    info: { ...info, description: info.description ?? errorTable() },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: { Error: schemaOf(ErrorBodySchema, "output") },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: `A JWT from the configured issuer (e.g. an Amazon Cognito access token) with the tenant in its tenant claim and scopes in \`scope\`: ${Object.entries(
            SCOPE_DESCRIPTIONS,
          )
            .map(([s, d]) => `\`${s}\` (${d})`)
            .join(", ")}.`,
        },
      },
    },
    "x-error-codes": Object.fromEntries(
      Object.entries(ERROR_CODES).map(([code, d]) => [
        code,
        { status: d.status, description: d.description },
      ]),
    ),
  };
}

function operation(r: AnyRouteSpec): Json {
  const parameters = [
    ...parametersOf(r.params, "path"),
    ...parametersOf(r.query, "query"),
    ...parametersOf(r.headers, "header"),
  ];
  const errors = new Set<ErrorCode>([
    ...(r.scope !== null ? AUTHENTICATED_ERRORS : []),
    ...(parameters.length > 0 || r.body !== undefined ? INPUT_ERRORS : []),
    ...(r.body !== undefined ? BODY_ERRORS : []),
    ...(r.errors ?? []),
    ...COMMON_ERRORS,
  ]);
  const success = schemaOf(r.response.schema, "output");
  const headers =
    r.response.headers === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(r.response.headers).map(([name, description]) => [
            name,
            { description, schema: { type: "string" } },
          ]),
        );
  const responses: Record<string, Json> = {
    [String(r.response.status)]: {
      description: r.response.description,
      ...(headers !== undefined ? { headers } : {}),
      content: { "application/json": { schema: success } },
    },
  };
  for (const [status, description] of Object.entries(r.response.alsoStatuses ?? {})) {
    responses[status] = { description, content: { "application/json": { schema: success } } };
  }
  for (const [status, codes] of byStatus(errors)) {
    responses[String(status)] = {
      description: codes.map((c) => `\`${c}\`: ${ERROR_CODES[c].description}`).join("\n\n"),
      ...(status === 429
        ? {
            headers: {
              "Retry-After": {
                description: "Seconds to wait (integer ≥ 1).",
                schema: { type: "integer", minimum: 1 },
              },
            },
          }
        : {}),
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.tags !== undefined ? { tags: [...r.tags] } : {}),
    security: r.scope !== null ? [{ bearerAuth: [r.scope] }] : [],
    ...(r.scope !== null ? { "x-required-scope": r.scope } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(r.body !== undefined
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: schemaOf(r.body as z.ZodType, "input") } },
          },
        }
      : {}),
    responses,
  };
}

function byStatus(codes: ReadonlySet<ErrorCode>): [number, ErrorCode[]][] {
  const m = new Map<number, ErrorCode[]>();
  for (const c of codes) {
    const s = ERROR_CODES[c].status;
    m.set(s, [...(m.get(s) ?? []), c]);
  }
  return [...m.entries()].sort(([a], [b]) => a - b);
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query" | "header"): Json[] {
  if (schema === undefined) return [];
  const json = schemaOf(schema, "input");
  const props = (json["properties"] ?? {}) as Record<string, Json>;
  const required = new Set((json["required"] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

/** A zod schema as JSON Schema 2020-12 (without `$schema`, as embedded in OpenAPI 3.1). */
export function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as Json;
  return json;
}

/** The OpenAPI description: the error model and its codes. */
export function errorTable(): string {
  return [
    'Every error is JSON `{"error": {"code", "message", "details"}}` with one of these stable codes:',
    "",
    errorCodesMarkdown(),
  ].join("\n");
}
