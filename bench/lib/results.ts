/** Writes a benchmark's result file: `bench/results/<name>-<timestamp>.json`. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "results");

/** `2024-05-01T12:34:56.789Z` → `20240501-123456`. */
export function timestampForFile(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
}

/** Write `data` as pretty JSON and return the file's path. */
export async function writeResult(name: string, data: unknown, dir = RESULTS_DIR): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}-${timestampForFile(new Date())}.json`);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
