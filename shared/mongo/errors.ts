import { MongoServerError } from "mongodb";

/** E11000: a unique index rejected the write. */
export function isDuplicateKeyError(err: unknown): boolean {
  return (
    (err instanceof MongoServerError && err.code === 11000) ||
    (typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000)
  );
}
