// @ts-check
/**
 * ESLint rule `sluice/boundaries`: the folders that may not import each other. A relative import is
 * resolved against the importing file, so `../x/../../workers/y.ts` is caught like `../workers/y.ts`.
 *
 *   scheduler/ ↛ workers/        workers/ ↛ scheduler/        (they meet through contracts in shared/)
 *   shared/ ↛ scheduler/, workers/
 *   scheduler/, workers/, shared/, cli/ ↛ infra/, bench/, test/, demo/   (production code stays production code)
 *   cli/ may import shared/, scheduler/ and workers/; it reaches the development tools only through
 *   cli/dev-tools.ts, a dynamic import of a computed path (docs/adr/0025-operator-cli.md)
 */
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** Top-level folder → folders it must not import from. */
export const FORBIDDEN = {
  scheduler: ["workers", "infra", "bench", "test", "demo"],
  workers: ["scheduler", "infra", "bench", "test", "demo"],
  shared: ["scheduler", "workers", "infra", "bench", "test", "demo"],
  cli: ["infra", "bench", "test", "demo"],
};

/** The first path segment of `file` relative to `root`, or undefined outside it. */
function topFolder(root, file) {
  const rel = relative(root, file);
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.split(sep)[0];
}

/** @type {import("eslint").Rule.RuleModule} */
export const boundariesRule = {
  meta: {
    type: "problem",
    docs: { description: "keeps scheduler/, workers/ and shared/ apart and free of infra/, bench/, test/" },
    schema: [],
    messages: {
      forbidden:
        "{{from}}/ may not import {{to}}/ ({{spec}}); scheduler/ and workers/ meet only through contracts in shared/, and production code (cli/ included) never imports infra/, bench/, test/ or demo/",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = topFolder(root, file);
    const banned = from !== undefined ? FORBIDDEN[from] : undefined;
    if (!banned) return {};
    /** @param {import("estree").Node | null | undefined} source */
    const check = (source) => {
      if (!source || source.type !== "Literal" || typeof source.value !== "string") return;
      const spec = source.value;
      if (!spec.startsWith(".")) return;
      const to = topFolder(root, resolve(dirname(file), spec));
      if (to !== undefined && banned.includes(to)) {
        context.report({ node: source, messageId: "forbidden", data: { from, to, spec } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export const boundariesPlugin = { rules: { boundaries: boundariesRule } };
