import { describe, expect, it } from "vitest";
import type { SqsPort } from "../../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../../shared/log/logger.ts";
import { DeleteBatcher } from "../../../workers/delete-batcher.ts";

function fakeSqs(fail = false) {
  const batches: string[][] = [];
  const sqs: Pick<SqsPort, "deleteBatch"> = {
    deleteBatch: (_url, handles) => {
      batches.push([...handles]);
      if (fail) return Promise.reject(new Error("queue down"));
      return Promise.resolve({ successful: handles.map((_, index) => ({ index })), failed: [] });
    },
  };
  return { sqs, batches };
}

describe("DeleteBatcher", () => {
  it("sends full batches of 10 at once and the rest after the linger time", async () => {
    const { sqs, batches } = fakeSqs();
    const b = new DeleteBatcher({ sqs, queueUrl: "q", log: silentLogger(), lingerMs: 30 });
    const done = Array.from({ length: 13 }, (_, i) => b.delete(`h${i}`));
    expect(batches).toEqual([Array.from({ length: 10 }, (_, i) => `h${i}`)]);
    await Promise.all(done);
    expect(batches).toEqual([Array.from({ length: 10 }, (_, i) => `h${i}`), ["h10", "h11", "h12"]]);
  });

  it("drain sends what is queued and waits for it", async () => {
    const { sqs, batches } = fakeSqs();
    const b = new DeleteBatcher({ sqs, queueUrl: "q", log: silentLogger(), lingerMs: 60_000 });
    void b.delete("a");
    void b.delete("b");
    await b.drain();
    expect(batches).toEqual([["a", "b"]]);
  });

  it("never rejects: a failed batch is left to redelivery", async () => {
    const { sqs } = fakeSqs(true);
    const b = new DeleteBatcher({ sqs, queueUrl: "q", log: silentLogger(), lingerMs: 1 });
    await expect(b.delete("x")).resolves.toBeUndefined();
  });
});
