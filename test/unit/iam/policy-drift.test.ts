/**
 * The policies cannot drift from the code. Two checks, both reading the source with the TypeScript
 * compiler (no string matching on the policies):
 *
 * 1. The adapters: for each port method in shared/aws/sqs.ts and shared/aws/s3.ts, the SDK commands
 *    it sends (directly or through the adapter's own helpers and methods) map to exactly the IAM
 *    actions shared/iam/port-actions.ts lists for it.
 * 2. The parts: every port method called anywhere in a part's import closure (value imports from its
 *    entry point; the type checker resolves each call to `SqsPort` / `BlobStore`, whatever the
 *    variable is named) is one shared/iam/components.ts grants that part — and every method it
 *    grants is called. A new call makes this fail until the policy grants it; a removed one until
 *    the grant goes.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { COMPONENTS, NEEDS, type Component } from "../../../shared/iam/components.ts";
import {
  BLOB_METHOD_ACTIONS,
  COMMAND_ACTIONS,
  SQS_METHOD_ACTIONS,
} from "../../../shared/iam/port-actions.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const PORTS = { SqsPort: "shared/aws/sqs-port.ts", BlobStore: "shared/aws/s3.ts" } as const;
/** The adapters implement the ports: their own calls are covered by check 1. */
const ADAPTERS = new Set(["shared/aws/sqs.ts", "shared/aws/s3.ts", "shared/aws/s3-object-mover.ts"]);
/** Adapters only the operator's CLI uses (moving a tenant's objects): no part may reach them. */
const OPERATOR_ADAPTERS = ["shared/aws/s3-object-mover.ts"];

function sourceOf(rel: string): ts.SourceFile {
  return ts.createSourceFile(rel, readFileSync(join(ROOT, rel), "utf8"), ts.ScriptTarget.Latest, true);
}

/** Port method → SDK commands it sends, following local helpers and `self.method(...)` calls. */
function adapterCommands(rel: string, selfName: string): Map<string, Set<string>> {
  const sf = sourceOf(rel);
  const helpers = new Map<string, ts.Node>();
  const methods = new Map<string, ts.Node>();
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionDeclaration(n) && n.name && n.body) helpers.set(n.name.text, n.body);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      if (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))
        helpers.set(n.name.text, n.initializer);
      if (n.name.text === selfName && ts.isObjectLiteralExpression(n.initializer)) {
        for (const p of n.initializer.properties) {
          if (p.name && ts.isIdentifier(p.name)) methods.set(p.name.text, p);
          if (ts.isShorthandPropertyAssignment(p)) methods.set(p.name.text, p);
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const commandsOf = (node: ts.Node, seen: Set<string>): Set<string> => {
    const out = new Set<string>();
    const walk = (n: ts.Node): void => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text.endsWith("Command"))
        out.add(n.expression.text);
      let callee: string | undefined;
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) callee = n.expression.text;
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        ts.isIdentifier(n.expression.expression) &&
        n.expression.expression.text === selfName
      )
        callee = `${selfName}.${n.expression.name.text}`;
      if (ts.isShorthandPropertyAssignment(n)) callee = n.name.text;
      if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.initializer)) callee = n.initializer.text;
      if (callee !== undefined && !seen.has(callee)) {
        seen.add(callee);
        const target = callee.startsWith(`${selfName}.`)
          ? methods.get(callee.slice(selfName.length + 1))
          : helpers.get(callee);
        if (target) commandsOf(target, seen).forEach((c) => out.add(c));
      }
      ts.forEachChild(n, walk);
    };
    walk(node);
    return out;
  };
  return new Map(
    [...methods].map(([name, node]) => [name, commandsOf(node, new Set([`${selfName}.${name}`]))]),
  );
}

const actionsOfCommands = (commands: Iterable<string>) =>
  [...new Set([...commands].map((c) => COMMAND_ACTIONS[c] ?? `unmapped ${c}`))].sort();

describe("port actions match the commands the adapters send", () => {
  it("SQS adapter", () => {
    const found = adapterCommands("shared/aws/sqs.ts", "port");
    expect([...found.keys()].sort()).toEqual(Object.keys(SQS_METHOD_ACTIONS).sort());
    for (const [method, commands] of found) {
      expect([method, actionsOfCommands(commands)]).toEqual([
        method,
        [...SQS_METHOD_ACTIONS[method as keyof typeof SQS_METHOD_ACTIONS]].sort(),
      ]);
    }
  });

  it("S3 adapter", () => {
    const found = adapterCommands("shared/aws/s3.ts", "store");
    expect([...found.keys()].sort()).toEqual(Object.keys(BLOB_METHOD_ACTIONS).sort());
    for (const [method, commands] of found) {
      expect([method, actionsOfCommands(commands)]).toEqual([
        method,
        [...BLOB_METHOD_ACTIONS[method as keyof typeof BLOB_METHOD_ACTIONS]].sort(),
      ]);
    }
  });

  it("no module outside the adapters sends an AWS SDK command of SQS, S3 or KMS itself", () => {
    const offenders: string[] = [];
    for (const dir of ["scheduler", "workers", "shared", "api", "cli"]) {
      for (const rel of tsFiles(dir)) {
        if (ADAPTERS.has(rel)) continue;
        const text = readFileSync(join(ROOT, rel), "utf8");
        if (/from "@aws-sdk\/client-(sqs|s3|kms)"/.test(text) && /new \w+Command\(/.test(text))
          offenders.push(rel);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("no part's import closure reaches an operator-only adapter (it is in no policy)", () => {
    for (const c of COMPONENTS) {
      const reached = closure(rootsOf(c));
      expect(reached.size, c).toBeGreaterThan(10);
      expect(
        OPERATOR_ADAPTERS.filter((f) => reached.has(f)),
        c,
      ).toEqual([]);
    }
  });
});

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => relative(ROOT, join(abs, f)));
}

/** Files reached from `roots` through value imports (`import type` brings no code). */
function closure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = roots.map((r) => join(ROOT, r));
  while (stack.length > 0) {
    const file = stack.pop()!;
    const rel = relative(ROOT, file);
    if (seen.has(rel) || !existsSync(file)) continue;
    seen.add(rel);
    const sf = sourceOf(rel);
    const add = (spec: ts.Expression | undefined) => {
      if (spec && ts.isStringLiteral(spec) && spec.text.startsWith("."))
        stack.push(resolve(dirname(file), spec.text));
    };
    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n)) {
        const clause = n.importClause;
        const typeOnly =
          clause?.isTypeOnly === true ||
          (clause !== undefined &&
            clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly));
        if (!typeOnly) add(n.moduleSpecifier);
      } else if (ts.isExportDeclaration(n) && !n.isTypeOnly) add(n.moduleSpecifier);
      else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword)
        add(n.arguments[0]);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return seen;
}

/** Port methods called in each file (the checker resolves the receiver's type to the port). */
function portCallsByFile(files: readonly string[]): Map<string, Set<string>> {
  const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(
    files.map((f) => join(ROOT, f)),
    { ...parsed.options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const byFile = new Map<string, Set<string>>();
  for (const rel of files) {
    const sf = program.getSourceFile(join(ROOT, rel));
    if (!sf) continue;
    const calls = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n)) {
        for (const d of checker.getSymbolAtLocation(n.name)?.declarations ?? []) {
          const owner = d.parent;
          if (!ts.isInterfaceDeclaration(owner)) continue;
          const port = owner.name.text as keyof typeof PORTS;
          if (PORTS[port] === relative(ROOT, d.getSourceFile().fileName)) calls.add(`${port}.${n.name.text}`);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    byFile.set(rel, calls);
  }
  return byFile;
}

function rootsOf(c: Component): string[] {
  return NEEDS[c].roots.flatMap((r) => (r.endsWith(".ts") ? [r] : tsFiles(r)));
}

describe("each part's policy grants exactly the port methods its code calls", () => {
  const closures = new Map(
    COMPONENTS.map((c) => [c, [...closure(rootsOf(c))].filter((f) => !ADAPTERS.has(f))]),
  );
  const all = [...new Set([...closures.values()].flat())];
  let calls: Map<string, Set<string>> | undefined;
  const used = (c: Component) => {
    calls ??= portCallsByFile(all);
    const out = new Map<string, string[]>();
    for (const f of closures.get(c) ?? [])
      for (const call of calls.get(f) ?? []) out.set(call, [...(out.get(call) ?? []), f]);
    return out;
  };

  for (const c of COMPONENTS) {
    it(c, { timeout: 240_000 }, () => {
      // Methods that send nothing (`placementOf`, `bucket`) need no grant.
      const code = new Map(
        [...used(c)].filter(([call]) => {
          const [port, method] = call.split(".") as [string, string];
          const table: Record<string, readonly string[]> =
            port === "SqsPort" ? SQS_METHOD_ACTIONS : BLOB_METHOD_ACTIONS;
          return (table[method] ?? []).length > 0;
        }),
      );
      const granted = new Set([
        ...Object.values(NEEDS[c].queues).flatMap((ms) => ms.map((m) => `SqsPort.${m}`)),
        ...NEEDS[c].objects.map((m) => `BlobStore.${m}`),
      ]);
      // Bedrock Converse (the llm step): granted exactly to the parts whose code can send it.
      const conversers = (closures.get(c) ?? []).filter((f) =>
        /new ConverseCommand\(/.test(readFileSync(join(ROOT, f), "utf8")),
      );
      expect([c, conversers.length > 0]).toEqual([c, NEEDS[c].bedrock === true]);
      const notGranted = [...code]
        .filter(([call]) => !granted.has(call))
        .map(([call, files]) => `${call} (${files.join(", ")})`);
      expect(notGranted, `${c} calls these, its policy does not grant them`).toEqual([]);
      expect(rootsOf(c).every((f) => existsSync(join(ROOT, f)))).toBe(true);
      const unused = [...granted].filter((g) => !code.has(g));
      expect(unused, `${c}'s policy grants these, its code never calls them`).toEqual([]);
    });
  }
});
