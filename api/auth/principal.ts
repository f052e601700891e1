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

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the edge on every route that needs a scope; undefined on unauthenticated routes. */
    principal: Principal | undefined;
  }
}
