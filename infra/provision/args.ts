import { readFile } from "node:fs/promises";
import { z } from "zod";
import { TENANT_ID_RULE, TenantIdSchema, type TenantId } from "../../shared/tenancy/tenant-id.ts";

export const PROVISION_USAGE = `usage: node --import tsx infra/provision.ts [--tenants a,b,...] [--file tenants.json]
                                           [--concurrency N] [--verbose]

  --tenants      comma-separated tenant ids; an item t-0001..t-1000 is a numbered range (same
                 prefix both sides; the first number's digits set the padding), up to 100,000 ids
  --file         JSON: ["acme", ...], {"tenants": ["acme", ...]} or {"tenants": [{"tenantId": "acme"}, ...]}
  --concurrency  tenants provisioned at once (default 32)
  --verbose      list every item created or found even for many tenants (default: above 100
                 items, counts per kind)
Both --tenants and --file may be given; the union is provisioned. With neither, only shared
resources are created. Idempotent: a second run creates nothing and says so.`;

export const MAX_RANGE = 100_000;

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
  readonly concurrency: number | undefined;
  readonly verbose: boolean;
}

/** `t-0001..t-1000` → t-0001, t-0002, … t-1000; any other item as it is. */
export function expandRange(item: string): string[] {
  const m = /^(.*?)(\d+)\.\.(.*?)(\d+)$/.exec(item);
  if (m === null) {
    if (item.includes(".."))
      throw new ProvisionArgsError(`bad range ${JSON.stringify(item)}: expected e.g. t-0001..t-1000`);
    return [item];
  }
  const [, prefix = "", first = "", prefix2 = "", last = ""] = m;
  if (prefix !== prefix2)
    throw new ProvisionArgsError(`bad range ${JSON.stringify(item)}: both ends need the same prefix`);
  const from = Number(first);
  const to = Number(last);
  if (to < from) throw new ProvisionArgsError(`bad range ${JSON.stringify(item)}: it ends before it starts`);
  if (to - from + 1 > MAX_RANGE)
    throw new ProvisionArgsError(`bad range ${JSON.stringify(item)}: more than ${MAX_RANGE} ids`);
  const width = first.length;
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(width, "0")}`);
}

/** Parses argv (without node and script); reads `--file`. Throws `ProvisionArgsError` with the reason. */
export async function parseProvisionArgs(argv: readonly string[]): Promise<ProvisionArgs> {
  const raw: string[] = [];
  let help = false;
  let verbose = false;
  let concurrency: number | undefined;
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
    else if (flag === "--verbose") verbose = true;
    else if (flag === "--concurrency") {
      const v = value();
      concurrency = Number(v);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
        throw new ProvisionArgsError(
          `--concurrency must be an integer from 1 to 1000, got ${JSON.stringify(v)}`,
        );
    } else if (flag === "--tenants")
      raw.push(
        ...value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .flatMap(expandRange),
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
  return { tenants: [...new Set(tenants)], help, concurrency, verbose };
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
