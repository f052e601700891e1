import type { JWTPayload } from "jose";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";

/**
 * Who an authenticated request is: the tenant named by the token's tenant claim (the only source of
 * the tenant), the token's subject (audit actor), the scopes it grants and its verified claims.
 */
export interface Principal {
  readonly tenantId: TenantId;
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  readonly token: Readonly<JWTPayload>;
}

/**
 * An operator of the whole fleet (the console and `/v1/ops/*`): a token with the `sluice/operator`
 * scope, verified like any other (issuer, audience, expiry, signature), that needs no tenant claim —
 * operators act on every tenant, each operation still through that tenant's scoped stores.
 */
export interface OperatorPrincipal {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  readonly token: Readonly<JWTPayload>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the edge on every route that needs a tenant scope; undefined on the others. */
    principal: Principal | undefined;
    /** Set by the edge on operator routes (`sluice/operator`); undefined on the others. */
    operator: OperatorPrincipal | undefined;
    /**
     * The tenant of a verified token, set as soon as the edge knows it (also on a request it then
     * refuses: over the rate, wrong scope), for the request log and metrics. Never for authorization:
     * that is `principal`.
     */
    tenantId: string | undefined;
  }
}
