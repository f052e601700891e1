/**
 * Verifies bearer JWTs against the issuer's JWKS with `jose` (no verifier of our own):
 * - keys from a remote JWKS, cached (`jwksCacheMs`); a token whose `kid` is not in the cache makes
 *   jose fetch the set again, at most once per `jwksCooldownMs` (key rotation is picked up; a flood of
 *   made-up kids cannot make us hammer the issuer);
 * - only the configured algorithms (RS256 / ES256): `alg: none` and HMAC (HS256 with the public key as
 *   the secret, the classic confusion) never verify;
 * - `iss` exactly the configured issuer; `exp` / `nbf` with `clockSkewSeconds` of tolerance;
 * - Amazon Cognito's shape: `token_use` (`access` or `id`, or not checked), and the audience in
 *   `aud` (id tokens, most OIDC issuers) or `client_id` (Cognito access tokens have no `aud`);
 * - the tenant only from the configured claim, validated as a tenant id.
 * Every refusal is an `ApiError` (401 `invalid_token` with `details.reason`, or `token_expired`); an
 * unreachable JWKS endpoint is 503 `unavailable`, not the caller's fault.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { ApiConfig } from "../../shared/config/config.ts";
import { TenantIdSchema } from "../../shared/tenancy/tenant-id.ts";
import { ApiError } from "../errors.ts";
import { challenge } from "./bearer.ts";
import type { OperatorPrincipal, Principal } from "./principal.ts";
import { grantedScopes } from "./scopes.ts";

export type AuthSettings = ApiConfig["auth"];

export type InvalidTokenReason =
  | "malformed"
  | "algorithm"
  | "signature"
  | "unknown_key"
  | "issuer"
  | "audience"
  | "token_use"
  | "not_yet_valid"
  | "claims"
  | "subject"
  | "tenant_claim";

export interface TokenVerifier {
  /** The principal a token stands for, or an ApiError. */
  verify(token: string): Promise<Principal>;
  /** The operator a token stands for (every check but the tenant claim), or an ApiError. */
  verifyOperator(token: string): Promise<OperatorPrincipal>;
  /** Whether the signing keys have been fetched at least once (readiness). */
  keysLoaded(): boolean;
  /** Fetches the signing keys now (start-up, readiness). */
  loadKeys(): Promise<void>;
}

export interface TokenVerifierOptions {
  readonly now?: () => number;
  /** Keys from somewhere other than the settings' JWKS URL (tests of the mapping only). */
  readonly keys?: JWTVerifyGetKey;
}

function invalid(reason: InvalidTokenReason, message: string): ApiError {
  return new ApiError(401, "invalid_token", message, { reason }, challenge("invalid_token"));
}

export function createTokenVerifier(settings: AuthSettings, opts: TokenVerifierOptions = {}): TokenVerifier {
  if (settings.issuer === undefined || settings.jwksUrl === undefined) {
    throw new Error("the API needs SLUICE_API_JWT_ISSUER (and a JWKS URL) to verify tokens");
  }
  const issuer = settings.issuer;
  const now = opts.now ?? Date.now;
  const remote = createRemoteJWKSet(new URL(settings.jwksUrl), {
    cooldownDuration: settings.jwksCooldownMs,
    cacheMaxAge: settings.jwksCacheMs,
    timeoutDuration: 5_000,
  });
  const keys: JWTVerifyGetKey = opts.keys ?? remote;
  const audiences = new Set(settings.audiences);
  const verified = async (token: string): Promise<JWTPayload> => {
    try {
      return (
        await jwtVerify(token, keys, {
          issuer,
          algorithms: [...settings.algorithms],
          clockTolerance: settings.clockSkewSeconds,
          currentDate: new Date(now()),
        })
      ).payload;
    } catch (err) {
      throw mapJoseError(err) ?? err;
    }
  };

  return {
    keysLoaded: () => remote.jwks() !== undefined,
    loadKeys: () => remote.reload(),
    async verify(token) {
      return principalOf(await verified(token), settings, audiences);
    },
    async verifyOperator(token) {
      return operatorOf(await verified(token), settings, audiences);
    },
  };
}

/** Checks the claims jose does not know about (Cognito's) and builds the principal. Pure. */
export function principalOf(
  payload: JWTPayload,
  settings: Pick<AuthSettings, "tokenUse" | "tenantClaim">,
  audiences: ReadonlySet<string>,
): Principal {
  const operator = operatorOf(payload, settings, audiences);
  const tenant = TenantIdSchema.safeParse(payload[settings.tenantClaim]);
  if (!tenant.success) {
    throw invalid(
      "tenant_claim",
      `the token's ${settings.tenantClaim} claim is missing or not a valid tenant id`,
    );
  }
  return { ...operator, tenantId: tenant.data };
}

/** The checks of `principalOf` but the tenant claim: who an operator token stands for. Pure. */
export function operatorOf(
  payload: JWTPayload,
  settings: Pick<AuthSettings, "tokenUse">,
  audiences: ReadonlySet<string>,
): OperatorPrincipal {
  if (settings.tokenUse !== "any" && payload["token_use"] !== settings.tokenUse) {
    throw invalid("token_use", `the token's token_use must be "${settings.tokenUse}"`);
  }
  const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = payload["client_id"];
  const accepted =
    aud.some((a) => audiences.has(a)) || (typeof clientId === "string" && audiences.has(clientId));
  if (!accepted) throw invalid("audience", "the token was not issued for this API (aud / client_id)");
  if (typeof payload.sub !== "string" || payload.sub.length === 0) {
    throw invalid("subject", "the token has no subject (sub)");
  }
  return { subject: payload.sub, scopes: grantedScopes(payload), token: payload };
}

/**
 * jose's errors as the API's: the caller's token problems are 401s, an unreachable JWKS a 503;
 * undefined for anything else (ours, not the caller's: the error handler answers 500 and logs it).
 */
export function mapJoseError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof errors.JWTExpired) {
    return new ApiError(401, "token_expired", "the token has expired", {}, challenge("invalid_token"));
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return invalid("not_yet_valid", "the token is not valid yet (nbf)");
    if (err.claim === "iss") return invalid("issuer", "the token is from another issuer");
    if (err.claim === "iat") return invalid("not_yet_valid", "the token was issued in the future (iat)");
    return invalid("claims", `the token's ${err.claim} claim is invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return invalid("algorithm", "the token's signature algorithm is not accepted");
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return invalid("signature", "the token's signature does not verify");
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return invalid("unknown_key", "the token was not signed by a key of the issuer");
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return invalid("malformed", "the token is not a well-formed signed JWT");
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || isFetchFailure(err)) {
    return new ApiError(503, "unavailable", "the token issuer's keys could not be fetched; retry later", {
      dependency: "jwks",
    });
  }
  if (err instanceof errors.JOSEError) return invalid("malformed", "the token could not be verified");
  return undefined;
}

/** fetch's network failure (TypeError), or jose's "Expected 200 OK from the JWKS response". */
function isFetchFailure(err: unknown): boolean {
  return err instanceof TypeError || (err instanceof errors.JOSEError && err.code === "ERR_JOSE_GENERIC");
}
