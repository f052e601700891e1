/**
 * The demo's token issuer as a process of its own (so `npm run demo -- --keep-stack` leaves it up
 * with the API): `node --import tsx infra/auth/dev-issuer-main.ts [--port N] [--audience A]`. Prints
 * one JSON line `{issuer, jwksUrl, tokenUrl, audience}` on stdout once it listens, then serves the
 * JWKS and `POST /token` (see `jwt-issuer.ts`) on 127.0.0.1 until SIGTERM / SIGINT (exit 0).
 * Exit 2 on a bad flag, 1 when the port is taken.
 */
import { parseArgs } from "node:util";
import { startJwtIssuer } from "./jwt-issuer.ts";

export const DEV_AUDIENCE = "sluice-demo";

async function main(argv: string[]): Promise<number> {
  let values: { port?: string; audience?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: "string" }, audience: { type: "string" } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(
      `dev-issuer: ${(err as Error).message}\nusage: dev-issuer-main.ts [--port N] [--audience A]\n`,
    );
    return 2;
  }
  const port = Number(values.port ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`dev-issuer: --port expects 0-65535, got ${values.port}\n`);
    return 2;
  }
  let issuer;
  try {
    issuer = await startJwtIssuer({ port, audience: values.audience ?? DEV_AUDIENCE, tokenEndpoint: true });
  } catch (err) {
    process.stderr.write(`dev-issuer: cannot listen on 127.0.0.1:${port}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `${JSON.stringify({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      tokenUrl: `${issuer.issuer}/token`,
      audience: issuer.audience,
    })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await issuer.close();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
