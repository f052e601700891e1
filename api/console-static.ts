/**
 * Serves the operators' console (`api/console/`: one HTML page, one stylesheet and ES modules — the
 * router `app.js`, the API client `api.js`, `html.js` and one module per page in `pages/`; no build
 * step) at `/console/`. The files are public — they hold no data; every data call they make carries
 * the operator's bearer token to `/v1/ops/*`. A strict Content-Security-Policy keeps the page to its
 * own script and the API.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";

export const CONSOLE_DIR = join(import.meta.dirname, "console");

const JS = "text/javascript; charset=utf-8";

/** Every file the console has (paths below `api/console/`): nothing else is served. */
export const CONSOLE_FILES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "app.js": JS,
  "api.js": JS,
  "html.js": JS,
  "pages/tenants.js": JS,
  "pages/jobs.js": JS,
  "pages/job.js": JS,
  "pages/reviews.js": JS,
  "pages/dlq.js": JS,
  "pages/fleet.js": JS,
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function serveConsole(app: FastifyInstance, dir = CONSOLE_DIR): void {
  const send = async (name: string, reply: FastifyReply) => {
    const type = CONSOLE_FILES[name];
    if (type === undefined) {
      return reply
        .code(404)
        .send({ error: { code: "not_found", message: `no console file ${name}`, details: {} } });
    }
    const body = await readFile(join(dir, name));
    return reply
      .header("content-type", type)
      .header("content-security-policy", CSP)
      .header("x-content-type-options", "nosniff")
      .header("cache-control", "no-cache")
      .send(body);
  };
  app.get("/console/", async (_request, reply) => send("index.html", reply));
  app.get<{ Params: { file: string } }>("/console/:file", async (request, reply) =>
    send(request.params.file, reply),
  );
  app.get<{ Params: { file: string } }>("/console/pages/:file", async (request, reply) =>
    send(`pages/${request.params.file}`, reply),
  );
}
