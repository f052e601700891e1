/**
 * A real token issuer for tests and the demo: RS256 and ES256 key pairs, the public keys as a JWKS
 * served by a local HTTP server (`jwksUrl`, on 127.0.0.1 only), tokens signed with jose, key rotation,
 * and the bad tokens the API must refuse (a forged signature with a key not in the JWKS,
 * `alg: none`, HS256 keyed with the public key). Nothing is mocked: the API fetches this JWKS over
 * HTTP and verifies signatures.
 *
 * With `tokenEndpoint: true` (the demo's issuer process, `dev-issuer-main.ts`) it also answers
 * `POST /token` with a JSON object of claims (`{"custom:tenant_id": "acme", "scope": "sluice/read"}`,
 * plus `expiresIn` seconds) with `{access_token, token_type, expires_in}`: a development issuer that
 * signs whatever it is asked — never point a production API at it.
 *
 *   const issuer = await startJwtIssuer();
 *   const token = await issuer.sign({ "custom:tenant_id": "acme", scope: "sluice/read" });
 *   await issuer.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

export type SigningAlg = "RS256" | "ES256";

export interface SignOptions {
  /** Which key signs (a published or a retired one); default the current key of `alg`. */
  readonly kid?: string;
  /** Default RS256. */
  readonly alg?: SigningAlg;
  /** Seconds from now, or a jose time span ("5m"); default 300. Negative: already expired. */
  readonly expiresIn?: number;
  /** Seconds from now the token becomes valid (`nbf`); default none. */
  readonly notBefore?: number;
  /** Sign with a key that is NOT in the JWKS (but put `kid` of a published one in the header). */
  readonly forged?: boolean;
  /** Leave `iat` out. */
  readonly noIat?: boolean;
}

interface KeyPair {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface JwtIssuer {
  /** The `iss` of tokens (`http://127.0.0.1:<port>`). */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The audience / client id tokens carry by default. */
  readonly audience: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  /** The kids published now. */
  kids(): string[];
  /**
   * A signed token. Default claims: `iss`, `sub`, `client_id` (the audience), `token_use: access`,
   * `iat`, `exp`; `claims` adds or overrides (set a claim to `undefined` to drop it).
   */
  sign(claims?: Record<string, unknown>, opts?: SignOptions): Promise<string>;
  /** An unsigned token: header `{"alg":"none"}`, empty signature. */
  unsigned(claims?: Record<string, unknown>): string;
  /** HS256 with the published RSA public key (as its JWK JSON) as the HMAC secret. */
  hmacWithPublicKey(claims?: Record<string, unknown>): Promise<string>;
  /** A new key of `alg` becomes current (published); old keys stay published unless `retire`. */
  rotate(alg?: SigningAlg, opts?: { retire?: boolean }): Promise<string>;
  close(): Promise<void>;
}

async function newKey(alg: SigningAlg): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export interface JwtIssuerOptions {
  /** The audience / client id tokens carry; default `sluice-test-client`. */
  readonly audience?: string;
  /** The port to listen on (127.0.0.1); default 0 (any free port). */
  readonly port?: number;
  /** Serve `POST /token` (see the module note); default false. */
  readonly tokenEndpoint?: boolean;
}

/** Longest body `POST /token` reads. */
const TOKEN_REQUEST_LIMIT = 16 * 1024;

export async function startJwtIssuer(opts: JwtIssuerOptions = {}): Promise<JwtIssuer> {
  const published: KeyPair[] = [await newKey("RS256"), await newKey("ES256")];
  const current = new Map<SigningAlg, KeyPair>(published.map((k) => [k.alg, k]));
  /** Keys taken out of the JWKS by `rotate(..., {retire: true})`: they still sign (a stale client). */
  const retired: KeyPair[] = [];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      fetches += 1;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
      return;
    }
    if (opts.tokenEndpoint === true && req.method === "POST" && req.url === "/token") {
      void tokenRequest(req, res);
      return;
    }
    res.writeHead(404).end();
  });
  const tokenRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    let text = "";
    for await (const chunk of req) {
      text += String(chunk);
      if (text.length > TOKEN_REQUEST_LIMIT) return answer(413, { error: "request too large" });
    }
    let claims: unknown;
    try {
      claims = JSON.parse(text || "{}");
    } catch {
      return answer(400, { error: "the body must be a JSON object of claims" });
    }
    if (typeof claims !== "object" || claims === null || Array.isArray(claims))
      return answer(400, { error: "the body must be a JSON object of claims" });
    const { expiresIn, ...rest } = claims as Record<string, unknown>;
    const ttl = typeof expiresIn === "number" && expiresIn > 0 ? Math.floor(expiresIn) : 3600;
    const token = await api.sign(rest, { expiresIn: ttl });
    answer(200, { access_token: token, token_type: "Bearer", expires_in: ttl });
  };
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, "127.0.0.1", ok);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const audience = opts.audience ?? "sluice-test-client";
  const nowS = () => Math.floor(Date.now() / 1000);

  const claimsOf = (extra: Record<string, unknown>, o: SignOptions = {}): JWTPayload => {
    const base: Record<string, unknown> = {
      iss: issuer,
      sub: `user-${randomUUID().slice(0, 8)}`,
      client_id: audience,
      token_use: "access",
      ...(o.noIat ? {} : { iat: nowS() }),
      exp: nowS() + (o.expiresIn ?? 300),
      ...(o.notBefore !== undefined ? { nbf: nowS() + o.notBefore } : {}),
      ...extra,
    };
    for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
    return base as JWTPayload;
  };

  const api: JwtIssuer = {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    audience,
    get fetches() {
      return fetches;
    },
    kids: () => published.map((k) => k.kid),
    async sign(claims = {}, o = {}) {
      const alg = o.alg ?? "RS256";
      const key =
        o.kid !== undefined ? [...published, ...retired].find((k) => k.kid === o.kid) : current.get(alg);
      if (key === undefined) throw new Error(`no published key ${o.kid ?? alg}`);
      const signer = o.forged ? (await newKey(key.alg)).privateKey : key.privateKey;
      return new SignJWT(claimsOf(claims, o))
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
        .sign(signer);
    },
    unsigned(claims = {}) {
      return `${b64({ alg: "none", typ: "JWT" })}.${b64(claimsOf(claims))}.`;
    },
    async hmacWithPublicKey(claims = {}) {
      const rsa = current.get("RS256");
      if (rsa === undefined) throw new Error("no RS256 key");
      const secret = new TextEncoder().encode(JSON.stringify(rsa.publicJwk));
      return new SignJWT(claimsOf(claims))
        .setProtectedHeader({ alg: "HS256", kid: rsa.kid, typ: "JWT" })
        .sign(secret);
    },
    async rotate(alg = "RS256", o = {}) {
      const key = await newKey(alg);
      const old = current.get(alg);
      if (o.retire && old !== undefined) retired.push(...published.splice(published.indexOf(old), 1));
      published.push(key);
      current.set(alg, key);
      return key.kid;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
  return api;
}
