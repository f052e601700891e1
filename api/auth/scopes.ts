/**
 * The API's OAuth scopes (space-separated in the token's `scope` claim, Cognito style: a resource
 * server `sluice` with these custom scopes). Each operation needs exactly one of them.
 */
export const SCOPES = ["sluice/submit", "sluice/read", "sluice/review", "sluice/operator"] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  "sluice/submit": "submit jobs and create uploads",
  "sluice/read": "read jobs, their timelines and the workflows",
  "sluice/review": "approve or reject jobs waiting for review",
  "sluice/operator":
    "operators (the console and /v1/ops/*): every tenant's quotas, jobs, reviews and dead letters, and the fleet; no tenant claim needed",
};

/** The cross-tenant operators' scope: its routes get `operator`, never a tenant `principal`. */
export const OPERATOR_SCOPE = "sluice/operator" satisfies Scope;

/** The scopes a token grants: `scope` (space-separated string) or `scp` (array, some OIDC issuers). */
export function grantedScopes(claims: Readonly<Record<string, unknown>>): Set<string> {
  const out = new Set<string>();
  const scope = claims["scope"];
  if (typeof scope === "string") for (const s of scope.split(" ")) if (s.length > 0) out.add(s);
  const scp = claims["scp"];
  if (Array.isArray(scp)) for (const s of scp) if (typeof s === "string" && s.length > 0) out.add(s);
  return out;
}
