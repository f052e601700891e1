import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Collection, Db } from "mongodb";
import { testDatabase } from "./helpers/mongo.ts";

interface TornDoc {
  _id: string;
  version: number;
  counter: number;
}

/**
 * Every update below changes `version` and `counter` together, so no read may ever see them differ.
 * mongo-java-server 1.47.0 let replies reference its stored documents after the collection lock was
 * released, while updates mutated them in place, so reads could be torn (a lost-update source for
 * compare-and-set writers). infra/mongo/SluiceMongoServer.java hands out copies instead.
 */
describe("MongoDB-wire server: reads are never torn by concurrent updates", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let docs: Collection<TornDoc>;
  const PAD = 200; // fields between `version` and `counter` widen the race window

  beforeAll(async () => {
    ({ db, drop } = await testDatabase("mongo_torn"));
    docs = db.collection("torn");
    const pads = Object.fromEntries(Array.from({ length: PAD }, (_, i) => [`pad${i}`, `value-${i}`]));
    await docs.insertOne({ _id: "d", version: 0, ...pads, counter: 0 });
  });
  afterAll(() => drop());

  it("find and findOneAndUpdate see version === counter while 6 writers update", async () => {
    const deadline = Date.now() + 3_000;
    const torn: string[] = [];
    let reads = 0;
    const check = (how: string, d: TornDoc | null): void => {
      reads++;
      if (d && d.version !== d.counter) torn.push(`${how}: version=${d.version} counter=${d.counter}`);
    };
    const loop = async (op: () => Promise<void>): Promise<void> => {
      while (Date.now() < deadline) await op();
    };
    const update = (): Promise<unknown> => docs.updateOne({ _id: "d" }, { $inc: { version: 1, counter: 1 } });
    await Promise.all([
      ...Array.from({ length: 6 }, () => loop(async () => void (await update()))),
      ...Array.from({ length: 6 }, () => loop(async () => check("find", await docs.findOne({ _id: "d" })))),
      ...Array.from({ length: 2 }, () =>
        loop(async () =>
          check(
            "findOneAndUpdate",
            await docs.findOneAndUpdate(
              { _id: "d" },
              { $inc: { version: 1, counter: 1 } },
              { returnDocument: "after" },
            ),
          ),
        ),
      ),
    ]);
    expect(reads).toBeGreaterThan(100);
    expect(torn.slice(0, 5)).toEqual([]);
    const final = await docs.findOne({ _id: "d" });
    expect(final?.version).toBe(final?.counter);
  });
});
