/**
 * Entry point of the `sluice` CLI (package.json `bin` → bin/sluice.js → here, or dist/cli/main.js in
 * the production build). The npm scripts (`npm run tenants -- list`) reach it through infra/run.sh.
 */
import { isEntryPoint } from "../shared/runtime/lifecycle.ts";
import { runCli } from "./run.ts";

export async function main(argv: readonly string[]): Promise<void> {
  let code: number;
  try {
    code = await runCli(argv);
  } catch (err) {
    process.stderr.write(`sluice: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    code = 1;
  }
  process.exit(code);
}

if (isEntryPoint(import.meta.url)) void main(process.argv.slice(2));
