import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * `npm test`: the README's test command and the body of CI. Starts the local stack unless one is
 * already given through AWS_ENDPOINT_URL / MONGO_URL, runs every check in order, stops the stack it
 * started (even on failure), and ends with one summary line `tests: N passed, M failed`.
 *
 * Steps: typecheck, lint, format, the production build (`npm run build`), unit tests, integration
 * tests (real LocalStack + MongoDB-wire server), and the ASL conformance corpus when ../shared/asl-corpus is present. Flags: --no-lint,
 * --only=<step,...> to run a subset while developing.
 */
interface Step {
  name: string;
  cmd: string[];
  needsStack: boolean;
  vitestReport?: string;
}

const root = resolve(import.meta.dirname, "..");
const reports = resolve(root, ".cache/test-reports");

function vitest(project: string): Step {
  const out = resolve(reports, `${project}.json`);
  return {
    name: `${project} tests`,
    cmd: [
      "npx",
      "vitest",
      "run",
      "--project",
      project,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${out}`,
    ],
    needsStack: project === "integration",
    vitestReport: out,
  };
}

function steps(): Step[] {
  const all: Step[] = [
    { name: "typecheck", cmd: ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"], needsStack: false },
    { name: "lint", cmd: ["npx", "eslint", "."], needsStack: false },
    { name: "format", cmd: ["npx", "prettier", "--check", "."], needsStack: false },
    { name: "build", cmd: ["node", "--import", "tsx", "cli/main.ts", "build"], needsStack: false },
    vitest("unit"),
    vitest("integration"),
  ];
  const corpus = resolve(root, "../shared/asl-corpus/cases.json");
  if (existsSync(corpus)) {
    all.push({
      name: "conformance",
      cmd: ["node", "--import", "tsx", "cli/main.ts", "conformance", corpus],
      needsStack: false,
    });
  } else {
    console.log(`[test] ${corpus} not found: ASL conformance step skipped (not counted)`);
  }
  return all;
}

function run(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    const [bin, ...args] = cmd;
    const child = spawn(bin as string, args, { cwd: root, env, stdio: "inherit" });
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.on("error", () => done(127));
  });
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface VitestFile {
  status?: string;
  assertionResults?: { status?: string }[];
}

/**
 * Counts per test from vitest's JSON report. A file that failed without a failing test (it did not
 * import, a hook threw) counts as one failure, so an empty or broken file can never pass unseen.
 */
export function readVitestCounts(file: string): Counts | undefined {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const num = (k: string) => (typeof r[k] === "number" ? (r[k] as number) : 0);
    const files = Array.isArray(r.testResults) ? (r.testResults as VitestFile[]) : [];
    const brokenFiles = files.filter(
      (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
    ).length;
    return {
      passed: num("numPassedTests"),
      failed: num("numFailedTests") + brokenFiles,
      skipped: num("numPendingTests") + num("numTodoTests"),
    };
  } catch {
    return undefined;
  }
}

export async function runAllTests(argv: string[]): Promise<number> {
  const only = argv
    .find((a) => a.startsWith("--only="))
    ?.slice("--only=".length)
    .split(",");
  const selected = steps().filter((s) => !only || only.some((o) => s.name.startsWith(o)));
  mkdirSync(reports, { recursive: true });

  let env: NodeJS.ProcessEnv = { ...process.env };
  let stopStack: (() => Promise<void>) | undefined;
  const results: { step: string; code: number; seconds: number; counts?: Counts }[] = [];
  try {
    if (selected.some((s) => s.needsStack)) {
      // The console's browser tests (integration) drive Debian's Chromium.
      const { ensureChromium } = await import("./chromium.ts");
      env = { ...env, SLUICE_CHROMIUM: ensureChromium() };
      const { ensureStack } = await import("./stack/index.ts");
      const stack = await ensureStack({});
      env = { ...env, ...stack.env };
      if (stack.startedByUs) stopStack = () => stack.stop();
    }
    for (const step of selected) {
      console.log(`\n[test] ── ${step.name} ──`);
      const t0 = performance.now();
      const code = await run(step.cmd, env);
      const seconds = (performance.now() - t0) / 1000;
      const counts = step.vitestReport ? readVitestCounts(step.vitestReport) : undefined;
      results.push({ step: step.name, code, seconds, ...(counts ? { counts } : {}) });
      console.log(
        `[test] ${step.name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`,
      );
    }
  } finally {
    if (stopStack) {
      console.log("[test] stopping the local stack this run started");
      await stopStack();
    }
  }

  console.log("\n[test] summary");
  for (const r of results) {
    const c = r.counts
      ? ` (${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped)`
      : "";
    console.log(
      `  ${r.code === 0 ? "ok    " : "FAILED"} ${r.step.padEnd(18)} ${r.seconds.toFixed(1).padStart(6)} s${c}`,
    );
  }
  const failedSteps = results.filter((r) => r.code !== 0).length;
  const passed = results.reduce((n, r) => n + (r.counts?.passed ?? (r.code === 0 ? 1 : 0)), 0);
  const failed = results.reduce((n, r) => n + (r.counts ? r.counts.failed : r.code === 0 ? 0 : 1), 0);
  // Vitest's counts per test, plus one per non-vitest step (typecheck, lint, format, conformance).
  console.log(`tests: ${passed} passed, ${failed} failed`);
  return failedSteps === 0 && failed === 0 ? 0 : 1;
}
