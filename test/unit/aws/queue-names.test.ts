import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dlqName, intakeQueueName, QueueNameError, workQueueName } from "../../../shared/aws/queue-names.ts";
import { tenantKey, TenantKeyError } from "../../../shared/tenancy/keys.ts";
import { TenantIdSchema, type TenantId } from "../../../shared/tenancy/tenant-id.ts";
import { parseProvisionArgs } from "../../../infra/provision/args.ts";

/** Every queue a tenant id produces, by kind. */
const tenantQueues = (prefix: string, t: TenantId) => {
  const intake = intakeQueueName(prefix, t);
  return { intake, intakeDlq: dlqName(intake) };
};
/** Every queue the fleet uses that belongs to no tenant. */
const fleetQueues = (prefix: string) => [workQueueName(prefix), dlqName(workQueueName(prefix))];

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-".split("");
const rawId = fc
  .tuple(
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz".split("")),
    fc.array(fc.constantFrom(...ALPHABET), { maxLength: 42 }),
  )
  .map(([h, t]) => h + t.join(""));
/** Ids that are prefixes and suffixes of each other: a base, and it with queue-ish tails added or cut. */
const relatedIds = fc
  .tuple(
    rawId,
    fc.array(
      fc.constantFrom("-dlq", "-d", "dlq", "-intake", "-work", "-", "q", "-dlq-dlq", "work", "intake"),
      {
        maxLength: 3,
      },
    ),
    fc.nat({ max: 6 }),
  )
  .map(([base, tails, cut]) => {
    const ids = [base, base.slice(0, Math.max(1, base.length - cut))];
    let grown = base;
    for (const tail of tails) ids.push((grown += tail));
    for (const tail of tails) ids.push(`${tail.replace(/^-/, "x")}-${base}`);
    return ids;
  });

describe("queue names (issue 9, bug 1)", () => {
  it("a tenant id may not end in -dlq, everywhere a tenant id is checked", async () => {
    for (const bad of ["acme-dlq", "a-dlq", "x-y-dlq"]) {
      expect(TenantIdSchema.safeParse(bad).success).toBe(false);
      expect(() => intakeQueueName("sluice", bad as TenantId)).toThrow(QueueNameError);
      expect(() => tenantKey(bad as TenantId, "x")).toThrow(TenantKeyError);
    }
    await expect(parseProvisionArgs(["--tenants", "acme,acme-dlq"])).rejects.toThrow(/acme-dlq/);
    for (const ok of ["acme", "acme-dlq2", "dlq", "acme-dl", "acmedlq", "dlq-acme"])
      expect(TenantIdSchema.safeParse(ok).success).toBe(true);
  });

  it("the intake queue of acme-dlq can no longer be acme's DLQ", () => {
    const acme = tenantQueues("sluice", TenantIdSchema.parse("acme"));
    expect(acme.intakeDlq).toBe("sluice-intake-acme-dlq");
    expect(TenantIdSchema.safeParse("acme-dlq").success).toBe(false);
  });

  it("tenant × kind → name is injective and never a fleet queue (ids that prefix each other)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("sluice", "p", "sluice-intake", "a".repeat(28)),
        fc.array(relatedIds, { minLength: 1, maxLength: 4 }),
        (prefix, groups) => {
          const ids = [...new Set(groups.flat())].filter(
            (s) => TenantIdSchema.safeParse(s).success,
          ) as TenantId[];
          const owner = new Map<string, string>();
          for (const q of fleetQueues(prefix)) owner.set(q, `fleet:${q}`);
          for (const t of ids) {
            for (const [kind, name] of Object.entries(tenantQueues(prefix, t))) {
              const who = `${t}:${kind}`;
              const before = owner.get(name);
              if (before !== undefined && before !== who)
                throw new Error(`${name} is both ${before} and ${who}`);
              owner.set(name, who);
            }
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("every valid id up to the longest fits SQS's 80 characters with a 28-character prefix", () => {
    fc.assert(
      fc.property(rawId, (raw) => {
        const parsed = TenantIdSchema.safeParse(raw);
        if (!parsed.success) return;
        const { intakeDlq } = tenantQueues("p".repeat(28), parsed.data);
        expect(intakeDlq.length).toBeLessThanOrEqual(80);
      }),
    );
  });
});
