import { readFile } from "node:fs/promises";
import { z } from "zod";
import { TENANT_ID_RULE, TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";

export const PROVISION_USAGE = `usage: node --import tsx infra/provision.ts [--tenants a,b,...] [--file tenants.json]

  --tenants  comma-separated tenant ids
  --file     JSON: ["acme", ...], {"tenants": ["acme", ...]} or {"tenants": [{"tenantId": "acme"}, ...]}
Both may be given; the union is provisioned. With neither, only shared resources are created.`;

export class ProvisionArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProvisionArgsError";
  }
}

const TenantEntry = z.union([
  TenantIdSchema,
  z.object({ tenantId: TenantIdSchema }).transform((t) => t.tenantId),
]);
const TenantsFile = z.union([
  z.array(TenantEntry),
  z.object({ tenants: z.array(TenantEntry) }).transform((f) => f.tenants),
]);

export interface ProvisionArgs {
  readonly tenants: TenantId[];
  readonly help: boolean;
}

/** Parses argv (without node and script); reads `--file`. Throws `ProvisionArgsError` with the reason. */
export async function parseProvisionArgs(argv: readonly string[]): Promise<ProvisionArgs> {
  const raw: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new ProvisionArgsError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--help" || flag === "-h") help = true;
    else if (flag === "--tenants")
      raw.push(
        ...value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (flag === "--file") raw.push(...(await readTenantsFile(value())));
    else throw new ProvisionArgsError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const tenants: TenantId[] = [];
  const bad: string[] = [];
  for (const t of raw) {
    const r = TenantIdSchema.safeParse(t);
    if (r.success) tenants.push(r.data);
    else bad.push(t);
  }
  if (bad.length > 0) {
    throw new ProvisionArgsError(
      `invalid tenant id(s) ${bad.map((b) => JSON.stringify(b)).join(", ")}: ${TENANT_ID_RULE}`,
    );
  }
  return { tenants: [...new Set(tenants)], help };
}

async function readTenantsFile(path: string): Promise<string[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new ProvisionArgsError(`--file ${path}: ${(err as Error).message}`);
  }
  const r = TenantsFile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ProvisionArgsError(
      `--file ${path}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return r.data;
}
