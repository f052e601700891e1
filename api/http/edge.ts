/**
 * The edge every authenticated route passes before its body is read (a route's `onRequest`):
 * 1. the bearer token is verified (401 `missing_token` / `invalid_token` / `token_expired`);
 * 2. the tenant — from the token's tenant claim only — must have a valid tenant document and not be
 *    suspended (403 `tenant_unknown` / `tenant_suspended`; paused tenants pass);
 * 3. one token from the tenant's edge bucket (429 `rate_limited` with `Retry-After`), sized at this
 *    replica's share of the tenant's rate (`replicaShare`: the rate over the live API replicas);
 * 4. the token must grant the route's scope (403 `insufficient_scope`).
 * It then sets `request.principal`. A request refused here never reaches a handler, so it writes
 * nothing.
 */
import type { FastifyRequest } from "fastify";
import type { ApiConfig } from "../../shared/config/config.ts";
import { bearerToken } from "../auth/bearer.ts";
import { OPERATOR_SCOPE, type Scope } from "../auth/scopes.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { TokenVerifier } from "../auth/token-verifier.ts";
import { ApiError } from "../errors.ts";
import type { EdgeRateLimiter } from "../tenants/edge-rate.ts";
import { replicaShare } from "../tenants/replica-share.ts";
import { admitTenant } from "../tenants/tenant-access.ts";
import type { TenantDirectory } from "../tenants/tenant-directory.ts";
import type { EdgeHook } from "./route.ts";

export interface EdgeDeps {
  readonly verifier: TokenVerifier;
  readonly tenants: TenantDirectory;
  readonly limiter: EdgeRateLimiter;
  readonly defaultRate: ApiConfig["defaultRate"];
  readonly now: () => number;
  /** Live API replicas (`shared/fleet/api-replicas.ts`): each enforces its share of a rate; default 1. */
  readonly replicas?: () => number;
}

/** Requests per second (and burst) one operator may make; operators are few and trusted, but not unbounded. */
export const OPERATOR_RATE = { perSecond: 50, burst: 200 } as const;

export function createEdge(deps: EdgeDeps): EdgeHook {
  return async (scope: Scope, request: FastifyRequest) => {
    if (scope === OPERATOR_SCOPE) return operatorEdge(deps, request);
    const principal = await deps.verifier.verify(bearerToken(request.headers.authorization));
    request.tenantId = principal.tenantId;
    const quota = admitTenant(await deps.tenants.lookup(principal.tenantId));
    const rate = replicaShare(quota.api ?? deps.defaultRate, deps.replicas?.() ?? 1);
    const decision = deps.limiter.take(principal.tenantId, rate, deps.now());
    if (!decision.ok) {
      throw new ApiError(
        429,
        "rate_limited",
        `too many requests for this tenant (${rate.perSecond}/s, burst ${rate.burst}); retry after ${decision.retryAfterSeconds} s`,
        { retryAfterSeconds: decision.retryAfterSeconds },
        { "retry-after": String(decision.retryAfterSeconds) },
      );
    }
    if (!principal.scopes.has(scope)) {
      throw new ApiError(403, "insufficient_scope", `this operation needs the scope ${scope}`, {
        required: scope,
      });
    }
    request.principal = principal;
  };
}

/**
 * Operator routes: the token verified like any other but without a tenant claim, its own bucket per
 * subject (`OPERATOR_RATE`), and the `sluice/operator` scope required. Sets `request.operator`.
 */
async function operatorEdge(deps: EdgeDeps, request: FastifyRequest): Promise<void> {
  const operator = await deps.verifier.verifyOperator(bearerToken(request.headers.authorization));
  const rate = replicaShare(OPERATOR_RATE, deps.replicas?.() ?? 1);
  const decision = deps.limiter.take(`operator:${operator.subject}` as TenantId, rate, deps.now());
  if (!decision.ok) {
    throw new ApiError(
      429,
      "rate_limited",
      `too many requests for this operator; retry after ${decision.retryAfterSeconds} s`,
      { retryAfterSeconds: decision.retryAfterSeconds },
      { "retry-after": String(decision.retryAfterSeconds) },
    );
  }
  if (!operator.scopes.has(OPERATOR_SCOPE)) {
    throw new ApiError(403, "insufficient_scope", `this operation needs the scope ${OPERATOR_SCOPE}`, {
      required: OPERATOR_SCOPE,
    });
  }
  request.operator = operator;
}
