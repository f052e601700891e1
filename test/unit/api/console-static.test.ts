import { readdirSync } from "node:fs";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { CONSOLE_DIR, CONSOLE_FILES, serveConsole } from "../../../api/console-static.ts";

describe("the console's static files", () => {
  it("lists exactly the files of api/console/ (a new module is served, nothing else is)", () => {
    const onDisk = readdirSync(CONSOLE_DIR, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => `${e.parentPath.slice(CONSOLE_DIR.length + 1)}/${e.name}`.replace(/^\//, ""))
      .sort();
    expect(Object.keys(CONSOLE_FILES).sort()).toEqual(onDisk);
  });

  it("serves the page modules as JavaScript and refuses other paths", async () => {
    const app = Fastify();
    serveConsole(app);
    const page = await app.inject({ url: "/console/pages/dlq.js" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(page.body).toContain("export async function dlqPage");
    expect((await app.inject({ url: "/console/app.js" })).body).toContain('from "./pages/tenants.js"');
    for (const url of [
      "/console/pages/nope.js",
      "/console/pages/..%2Fapp.js",
      "/console/console-static.ts",
    ]) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    await app.close();
  });
});
