import { MongoClient, type Db, type MongoClientOptions } from "mongodb";
import type { SluiceConfig } from "../config/config.ts";

/** A connected client with an explicit lifecycle. `close()` is idempotent and safe to call concurrently. */
export interface MongoHandle {
  readonly client: MongoClient;
  /** The configured database, or another by name (dedicated tenants, tests). */
  db(name?: string): Db;
  /**
   * Recreates the client's topology (its server monitors and connection pools): close, then connect
   * and ping again on the same `MongoClient`, so every `Db` and `Collection` handed out keeps
   * working. For a driver whose monitor is stuck after a server restart (issue 9 bug B). Rejects if
   * the server is still unreachable (call again later); refused after `close()`.
   */
  reconnect(): Promise<void>;
  /** One `ping` of the configured database (reachability probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Fail fast when the server is unreachable; default 5 s. */
  readonly serverSelectionTimeoutMS?: number;
  readonly appName?: string;
}

/**
 * A client with Sluice's options, not connected yet (the driver connects on first use). No
 * `serverApi`: the local MongoDB-wire server does not implement it.
 */
export function newMongoClient(url: string, options: ConnectOptions = {}): MongoClient {
  const clientOptions: MongoClientOptions = {
    appName: options.appName ?? "sluice",
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
    retryWrites: false, // needs sessions, which the wire server lacks; our writes are idempotent CAS updates
    ignoreUndefined: true,
  };
  return new MongoClient(url, clientOptions);
}

/**
 * Connects (and verifies with a ping) to `config.mongo.url`. No `serverApi`: the local
 * MongoDB-wire server does not implement it.
 */
export async function connectMongo(
  config: Pick<SluiceConfig, "mongo">,
  options: ConnectOptions = {},
): Promise<MongoHandle> {
  const client = newMongoClient(config.mongo.url, options);
  await client.connect();
  try {
    await client.db(config.mongo.db).command({ ping: 1 });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  let closing: Promise<void> | undefined;
  let reconnecting: Promise<void> | undefined;
  const reconnect = async () => {
    await client.close();
    if (closing) throw new Error("MongoDB client closed");
    await client.connect();
    await client.db(config.mongo.db).command({ ping: 1 });
  };
  return {
    client,
    db: (name = config.mongo.db) => client.db(name),
    ping: async () => {
      await client.db(config.mongo.db).command({ ping: 1 });
    },
    reconnect() {
      if (closing) return Promise.reject(new Error("MongoDB client closed"));
      reconnecting ??= reconnect().finally(() => (reconnecting = undefined));
      return reconnecting;
    },
    close() {
      closing ??= (reconnecting ?? Promise.resolve()).catch(() => undefined).then(() => client.close());
      return closing;
    },
  };
}
