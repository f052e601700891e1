/**
 * The route helper: one declaration per operation — method, path, zod schemas for params, query,
 * headers, body and response, the scope it needs — from which the handler gets validated, typed
 * input and `/openapi.json` gets its entry. Validation failures are 400 `invalid_request` with every
 * zod issue (`details.issues[]`: `path` starting with `params`/`query`/`headers`/`body`, `message`,
 * `code`). The response is parsed with its schema before it is sent, so a field the schema does not
 * name never leaves the API (and a mismatch is a 500, logged).
 *
 *   routes.add({
 *     method: "GET", path: "/v1/jobs/{id}", operationId: "getJob", summary: "A job",
 *     scope: "sluice/read",
 *     params: z.object({ id: JobIdSchema }),
 *     response: { status: 200, description: "The job", schema: JobViewSchema },
 *     errors: ["not_found"],
 *     handler: async ({ params, principal }) => ({ body: await view(principal, params.id) }),
 *   });
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import type { z } from "zod";
import type { OperatorPrincipal, Principal } from "../auth/principal.ts";
import type { Scope } from "../auth/scopes.ts";
import { ApiError, type ErrorCode } from "../errors.ts";

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, H, B, S extends Scope | null> {
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly headers: Out<H>;
  readonly body: Out<B>;
  /** The caller (undefined on unauthenticated and operator routes). */
  readonly principal: S extends "sluice/operator" ? undefined : S extends Scope ? Principal : undefined;
  /** The operator (operator routes only: scope `sluice/operator`, no tenant claim). */
  readonly operator: S extends "sluice/operator" ? OperatorPrincipal : undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteReply<R> {
  /** Default: `response.status`. Another status must be listed in `response.alsoStatuses`. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: R;
}

export interface RouteSpec<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  H extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema,
  S extends Scope | null,
> {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI style: `/v1/jobs/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** The scope a token needs; `null`: no authentication (health, the OpenAPI document). */
  readonly scope: S;
  readonly params?: P;
  readonly query?: Q;
  /** Header names in lowercase. */
  readonly headers?: H;
  readonly body?: B;
  readonly response: {
    readonly status: number;
    readonly description: string;
    readonly schema: R;
    /** Other success statuses with the same body (e.g. 200 for an idempotent replay of a 202). */
    readonly alsoStatuses?: Readonly<Record<number, string>>;
    /** Response headers worth documenting (e.g. `Location`). */
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** Error codes this operation answers besides the common ones (documented in OpenAPI). */
  readonly errors?: readonly ErrorCode[];
  readonly handler: (input: RouteInput<P, Q, H, B, S>) => Promise<RouteReply<z.input<R>>>;
}

/** A registered route, as the OpenAPI builder sees it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteSpec = RouteSpec<any, any, any, any, any, Scope | null>;

/** What route modules get: `add` one operation. */
export interface RouteRegistrar {
  add<
    P extends Schema | undefined = undefined,
    Q extends Schema | undefined = undefined,
    H extends Schema | undefined = undefined,
    B extends Schema | undefined = undefined,
    R extends Schema = Schema,
    S extends Scope | null = Scope | null,
  >(
    spec: RouteSpec<P, Q, H, B, R, S>,
  ): void;
  /** Every route added, in order. */
  list(): readonly AnyRouteSpec[];
}

/** A module of routes (`api/routes/*.ts`): registers its operations. */
export type RouteModule = (routes: RouteRegistrar) => void;

/** The edge checks a route runs before its body is read (authentication, tenant, rate, scope). */
export type EdgeHook = (scope: Scope, request: FastifyRequest) => Promise<void>;

export function createRouteRegistrar(app: FastifyInstance, edge: EdgeHook): RouteRegistrar {
  const routes: AnyRouteSpec[] = [];
  return {
    list: () => routes,
    add(spec) {
      const any = spec as unknown as AnyRouteSpec;
      routes.push(any);
      const scope = spec.scope;
      app.route({
        method: spec.method as HTTPMethods,
        url: toFastifyPath(spec.path),
        ...(scope !== null ? { onRequest: (request: FastifyRequest) => edge(scope, request) } : {}),
        handler: async (request, reply) => {
          const input = validateInput(any, request);
          const out = await any.handler({
            ...input,
            principal: request.principal,
            operator: request.operator,
            request,
            reply,
          });
          const status = out.status ?? spec.response.status;
          if (status !== spec.response.status && spec.response.alsoStatuses?.[status] === undefined) {
            throw new Error(`${spec.operationId}: status ${status} is not declared`);
          }
          const body = spec.response.schema.safeParse(out.body);
          if (!body.success) {
            throw new Error(`${spec.operationId}: response does not match its schema: ${body.error.message}`);
          }
          if (out.headers !== undefined) void reply.headers(out.headers);
          return reply.code(status).send(body.data);
        },
      });
    },
  };
}

/** `/v1/jobs/{id}` → `/v1/jobs/:id`. */
export function toFastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
}

export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly code: string;
}

function validateInput(
  spec: AnyRouteSpec,
  request: FastifyRequest,
): { params: unknown; query: unknown; headers: unknown; body: unknown } {
  const issues: ValidationIssue[] = [];
  const parse = (where: string, schema: Schema | undefined, value: unknown): unknown => {
    if (schema === undefined) return undefined;
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const i of r.error.issues) {
      issues.push({
        path: [where, ...i.path.map((p) => (typeof p === "number" ? p : String(p)))],
        message: i.message,
        code: i.code,
      });
    }
    return undefined;
  };
  const out = {
    params: parse("params", spec.params, request.params ?? {}),
    query: parse("query", spec.query, request.query ?? {}),
    headers: parse("headers", spec.headers, request.headers),
    body: parse("body", spec.body, request.body),
  };
  if (issues.length > 0) {
    throw new ApiError(400, "invalid_request", describe(issues), { issues });
  }
  return out;
}

function describe(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  const where = first === undefined ? "" : `${first.path.join(".")}: ${first.message}`;
  return issues.length === 1
    ? `invalid request: ${where}`
    : `invalid request: ${where} (and ${issues.length - 1} more)`;
}
