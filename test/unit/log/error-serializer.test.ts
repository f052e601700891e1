import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../shared/log/index.ts";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

/** A real driver error, without a server: nothing listens on port 1. */
async function selectionError(): Promise<unknown> {
  const client = new MongoClient("mongodb://127.0.0.1:1/?directConnection=true", {
    serverSelectionTimeoutMS: 200,
  });
  try {
    await client.db("x").command({ ping: 1 });
    throw new Error("unexpected: connected");
  } catch (err) {
    return err;
  } finally {
    await client.close();
  }
}

describe("error serializer (issue 9 bug B)", () => {
  it("logs a MongoDB server selection error's name, message and its cause's code, under any key", async () => {
    const err = await selectionError();
    const { logger, lines } = capture();
    logger.error({ err }, "a");
    logger.error({ detail: { error: err } }, "b");
    logger.error(err as Error, "c");
    for (const line of lines) expect(line).not.toContain("unable to serialize");
    const [a, b, c] = lines.map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    expect(a?.err).toMatchObject({
      name: "MongoServerSelectionError",
      message: "connect ECONNREFUSED 127.0.0.1:1",
      cause: { name: "MongoNetworkError", cause: { code: "ECONNREFUSED" } },
      servers: [{ address: "127.0.0.1:1", error: { name: "MongoNetworkError" } }],
    });
    expect((b?.detail as Record<string, unknown>).error).toMatchObject({ name: "MongoServerSelectionError" });
    expect(c?.err).toMatchObject({ name: "MongoServerSelectionError" });
  });

  it("keeps name, code and message of an error whose fields cannot be serialized", () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const err = Object.assign(new Error("boom"), {
      code: 11000,
      codeName: "DuplicateKey",
      graph: cyclic,
      bad: {
        toJSON() {
          throw new Error("no");
        },
      },
      tenantId: "acme",
    });
    Object.defineProperty(err, "explodes", {
      enumerable: true,
      get() {
        throw new Error("getter");
      },
    });
    logger.error({ err, other: new TypeError("t") }, "failed");
    const line = JSON.parse(lines[0]!) as Record<string, Record<string, unknown>>;
    expect(line.err).toMatchObject({ name: "Error", code: 11000, codeName: "DuplicateKey", message: "boom" });
    expect(line.err?.tenantId).toBe("acme");
    expect(line.err?.graph).toBeUndefined();
    expect(line.other).toMatchObject({ name: "TypeError", message: "t" });
  });

  it("describes thrown non-errors", () => {
    const { logger, lines } = capture();
    logger.error({ err: "plain string" }, "x");
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: { name: "NonError", message: "plain string" } });
  });
});
