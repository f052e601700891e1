/**
 * Entry point for the operators' tenant commands:
 *   node --import tsx scheduler/cli/main.ts tenants <list|check|set> [...] [--json]
 * The only file here that exits the process.
 */
const [group, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (group !== "tenants") {
    process.stderr.write(`usage: scheduler/cli/main.ts tenants <list|check|set> ...\n`);
    return 2;
  }
  return (await import("./tenants.ts")).tenantsCommand(rest);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
