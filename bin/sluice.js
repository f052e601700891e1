#!/usr/bin/env node
// The `sluice` command (package.json "bin"). In a clone it runs the TypeScript sources (cli/main.ts,
// through tsx, a dev dependency); in an installed production build it runs dist/cli/main.js.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const source = new URL("../cli/main.ts", import.meta.url);
const built = new URL("../dist/cli/main.js", import.meta.url);

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve("tsx/esm/api");
    return true;
  } catch {
    return false;
  }
}

let entry;
if (existsSync(source) && hasTsx()) {
  const { register } = await import("tsx/esm/api");
  register();
  entry = source;
} else if (existsSync(built)) {
  entry = built;
} else {
  process.stderr.write(
    "sluice: neither cli/main.ts (with tsx) nor dist/cli/main.js is here; run npm ci, or npm run build\n",
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
