import { connectMongo, type MongoHandle } from "../../../shared/mongo/client.ts";
import type { Db } from "mongodb";
import { testConfig, uniqueName } from "./env.ts";

/** A connection plus a database unique to the calling test file; `drop()` removes it and closes. */
export async function testDatabase(
  label: string,
): Promise<{ mongo: MongoHandle; db: Db; drop(): Promise<void> }> {
  const name = uniqueName(label, "_");
  const mongo = await connectMongo(testConfig({ SLUICE_DB: name }));
  const db = mongo.db();
  return {
    mongo,
    db,
    async drop() {
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
