/** Collection names live in one place, `shared/mongo/collections.ts`; re-exported for the jobs layer. */
export { COLLECTIONS, SHARED_DB_NAME, type CollectionName } from "../mongo/collections.ts";
