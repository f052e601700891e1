/** The tests' token issuer is the one the demo runs (`infra/auth/jwt-issuer.ts`). */
export * from "../../infra/auth/jwt-issuer.ts";
