import { MongoClient, type Db, type MongoClientOptions } from "mongodb";
import type { SluiceConfig } from "../config/config.ts";

/** A connected client with an explicit lifecycle. `close()` is idempotent and safe to call concurrently. */
export interface MongoHandle {
  readonly client: MongoClient;
  /** The configured database, or another by name (dedicated tenants, tests). */
  db(name?: string): Db;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Fail fast when the server is unreachable; default 5 s. */
  readonly serverSelectionTimeoutMS?: number;
  readonly appName?: string;
}

/**
 * Connects (and verifies with a ping) to `config.mongo.url`. No `serverApi`: the local
 * MongoDB-wire server does not implement it.
 */
export async function connectMongo(
  config: Pick<SluiceConfig, "mongo">,
  options: ConnectOptions = {},
): Promise<MongoHandle> {
  const clientOptions: MongoClientOptions = {
    appName: options.appName ?? "sluice",
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
    retryWrites: false, // needs sessions, which the wire server lacks; our writes are idempotent CAS updates
    ignoreUndefined: true,
  };
  const client = new MongoClient(config.mongo.url, clientOptions);
  await client.connect();
  try {
    await client.db(config.mongo.db).command({ ping: 1 });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    client,
    db: (name = config.mongo.db) => client.db(name),
    close() {
      closing ??= client.close();
      return closing;
    },
  };
}
