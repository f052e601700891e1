export { connectMongo, type MongoHandle, type ConnectOptions } from "./client.ts";
export { COLLECTIONS, type CollectionKey, type CollectionName } from "./collections.ts";
export { ensureIndexes, INDEXES, type IndexDef, type EnsureIndexesReport } from "./indexes.ts";
export { isDuplicateKeyError } from "./errors.ts";
export { DURABLE_WRITE_CONCERN, DURABLE_WRITE_CONCERN_FIELD, durable } from "./write-concern.ts";
