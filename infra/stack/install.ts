import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { LOCALSTACK_EXCLUDE_NEWER, LOCALSTACK_VERSION, MONGO_SERVER_VERSION, UV_VERSION } from "./config.ts";
import type { Paths } from "./config.ts";
import { withLock } from "./lock.ts";
import { runLogged, StackError } from "./proc.ts";
import type { Progress } from "./proc.ts";

/**
 * First-use installs into the per-user cache, keyed by component and version. Each install runs
 * under a lock file and is marked complete by a stamp written only after verification, so a
 * half-done install is redone (its steps are idempotent) and concurrent `up`s do not collide.
 * Nothing already in place is deleted: another clone may be running from it.
 */

const STAMP = ".installed.json";

function stamped(home: string): boolean {
  return existsSync(join(home, STAMP));
}

function writeStamp(home: string, details: Record<string, unknown>): void {
  writeFileSync(
    join(home, STAMP),
    JSON.stringify({ ...details, installedAt: new Date().toISOString() }) + "\n",
  );
}

async function step(
  progress: Progress,
  name: string,
  cmd: string[],
  log: string,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<void> {
  progress.line(name);
  const r = await runLogged(cmd, { log, timeoutMs: opts.timeoutMs ?? 15 * 60_000, cwd: opts.cwd });
  if (r.code !== 0) {
    const why = r.timedOut ? "timed out" : r.code === 127 ? `${cmd[0]} not found` : `exit code ${r.code}`;
    throw new StackError(name, log, why);
  }
}

export function localstackPython(paths: Paths): string {
  return join(paths.localstackVenv, "bin", "python");
}

/**
 * localstack/packages/api.py annotates `install_lock: Lock | None`, evaluated at import time; on
 * Python 3.11 threading.Lock is a function, so the Step Functions plugin fails to load. Postponed
 * annotations fix it. Returns true if the file was changed.
 */
export function patchPackagesApi(venv: string): boolean {
  const lib = join(venv, "lib");
  const pythons = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith("python")) : [];
  let changed = false;
  for (const py of pythons) {
    const file = join(lib, py, "site-packages", "localstack", "packages", "api.py");
    if (!existsSync(file)) continue;
    const src = readFileSync(file, "utf8");
    if (/^from __future__ import annotations$/m.test(src)) continue;
    const tmp = `${file}.sluice-tmp`;
    writeFileSync(tmp, `from __future__ import annotations\n${src}`);
    renameSync(tmp, file);
    changed = true;
  }
  return changed;
}

const KMS_UUID5 = "uuid.uuid5(self._internal_key_id, key_material)";
const KMS_UUID5_BYTES =
  'uuid.UUID(bytes=__import__("hashlib").sha1(self._internal_key_id.bytes + key_material).digest()[:16], version=5)';

/**
 * localstack/services/kms/models.py derives a key's material id with `uuid.uuid5(namespace, bytes)`,
 * which Python 3.12 accepts and 3.11 refuses (`encoding without a string argument`), so every
 * `CreateKey` failed with InternalError. The patch computes exactly what 3.12's uuid5 does for bytes
 * (SHA-1 of the namespace bytes and the name, version 5). Applied on every start as well as at install,
 * so a cache installed before the patch existed is fixed too; idempotent. Returns true if changed.
 */
export function patchKmsKeyMaterialId(venv: string): boolean {
  const lib = join(venv, "lib");
  const pythons = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith("python")) : [];
  let changed = false;
  for (const py of pythons) {
    const file = join(lib, py, "site-packages", "localstack", "services", "kms", "models.py");
    if (!existsSync(file)) continue;
    const src = readFileSync(file, "utf8");
    if (!src.includes(KMS_UUID5)) continue;
    const tmp = `${file}.sluice-tmp-${process.pid}`;
    writeFileSync(tmp, src.replace(KMS_UUID5, KMS_UUID5_BYTES));
    renameSync(tmp, file);
    changed = true;
  }
  return changed;
}

export async function ensureLocalStack(paths: Paths, progress: Progress): Promise<void> {
  const home = paths.localstackHome;
  const python = localstackPython(paths);
  if (stamped(home) && existsSync(python)) {
    if (patchKmsKeyMaterialId(paths.localstackVenv))
      progress.line("localstack: patched services/kms/models.py for Python 3.11");
    return;
  }
  const log = join(paths.logs, "install-localstack.log");
  await withLock(
    join(paths.cache, `localstack-${LOCALSTACK_VERSION}.lock`),
    "LocalStack install",
    (m) => progress.line(m),
    async () => {
      if (stamped(home) && existsSync(python)) return;
      progress.line(`installing LocalStack ${LOCALSTACK_VERSION} into ${home} (first use; log: ${log})`);
      mkdirSync(home, { recursive: true });
      const venv = paths.localstackVenv;
      if (!existsSync(python)) {
        await step(
          progress,
          "install localstack: create venv (python3 -m venv)",
          ["python3", "-m", "venv", venv],
          log,
        );
      }
      if (!existsSync(join(venv, "bin", "uv"))) {
        await step(
          progress,
          `install localstack: pip install uv==${UV_VERSION}`,
          [join(venv, "bin", "pip"), "install", "-q", `uv==${UV_VERSION}`],
          log,
        );
      }
      await step(
        progress,
        `install localstack: uv pip install localstack-core[runtime]==${LOCALSTACK_VERSION}`,
        [
          join(venv, "bin", "uv"),
          "pip",
          "install",
          "--python",
          python,
          "--exclude-newer",
          LOCALSTACK_EXCLUDE_NEWER,
          `localstack-core[runtime]==${LOCALSTACK_VERSION}`,
        ],
        log,
      );
      progress.line("install localstack: patch localstack/packages/api.py for Python 3.11");
      patchPackagesApi(venv);
      progress.line("install localstack: patch localstack/services/kms/models.py for Python 3.11");
      patchKmsKeyMaterialId(venv);
      await step(
        progress,
        "install localstack: verify the sqs, s3, stepfunctions and kms providers import",
        [
          python,
          "-c",
          "from localstack.services.stepfunctions.provider import StepFunctionsProvider\n" +
            "from localstack.services.sqs.provider import SqsProvider\n" +
            "from localstack.services.s3.provider import S3Provider\n" +
            "from localstack.services.kms.provider import KmsProvider",
        ],
        log,
        { timeoutMs: 120_000 },
      );
      writeStamp(home, {
        component: "localstack-core",
        version: LOCALSTACK_VERSION,
        excludeNewer: LOCALSTACK_EXCLUDE_NEWER,
        uv: UV_VERSION,
      });
      progress.line("LocalStack installed");
    },
  );
}

const MONGO_JARS = [
  `mongo-java-server-core-${MONGO_SERVER_VERSION}.jar`,
  `mongo-java-server-memory-backend-${MONGO_SERVER_VERSION}.jar`,
  `mongo-java-server-h2-backend-${MONGO_SERVER_VERSION}.jar`,
];

function mongoJarsPresent(home: string): boolean {
  return MONGO_JARS.every((j) => existsSync(join(home, j)));
}

/** The launcher's sources: every `.java` file in infra/mongo, in name order. */
export function launcherSources(paths: Paths): string[] {
  const dir = join(paths.root, "infra", "mongo");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => join(dir, f));
}

/** The compiled launcher lives next to the jars, keyed by a hash of its sources (names and text). */
export function launcherDir(paths: Paths): string {
  const hash = createHash("sha256");
  for (const file of launcherSources(paths)) {
    hash
      .update(`${file.slice(file.lastIndexOf("/") + 1)}\0`)
      .update(readFileSync(file))
      .update("\0");
  }
  return join(paths.mongoHome, `launcher-${hash.digest("hex").slice(0, 12)}`);
}

export function mongoClasspath(paths: Paths): string {
  return `${join(paths.mongoHome, "*")}:${launcherDir(paths)}`;
}

export async function ensureMongo(paths: Paths, progress: Progress): Promise<void> {
  const home = paths.mongoHome;
  const launcher = launcherDir(paths);
  const ready = (): boolean =>
    stamped(home) && mongoJarsPresent(home) && existsSync(join(launcher, "SluiceMongoServer.class"));
  if (ready()) return;
  const log = join(paths.logs, "install-mongo.log");
  const lock = join(paths.cache, `mongo-java-server-${MONGO_SERVER_VERSION}.lock`);
  await withLock(
    lock,
    "mongo-java-server install",
    (m) => progress.line(m),
    async () => {
      if (ready()) return;
      mkdirSync(home, { recursive: true });
      if (!stamped(home) || !mongoJarsPresent(home)) {
        progress.line(
          `installing mongo-java-server ${MONGO_SERVER_VERSION} into ${home} (first use; log: ${log})`,
        );
        // Download into a staging dir, then rename each jar into place: a JVM already running from
        // this directory keeps its open files.
        const staging = join(home, `.staging-${process.pid}`);
        rmSync(staging, { recursive: true, force: true });
        await step(
          progress,
          "install mongo: mvn dependency:copy-dependencies (infra/mongo/pom.xml)",
          [
            "mvn",
            "-q",
            "-B",
            "-f",
            join(paths.root, "infra", "mongo", "pom.xml"),
            "dependency:copy-dependencies",
            `-DoutputDirectory=${staging}`,
          ],
          log,
        );
        for (const f of readdirSync(staging)) renameSync(join(staging, f), join(home, f));
        rmSync(staging, { recursive: true, force: true });
        if (!mongoJarsPresent(home)) {
          throw new StackError("install mongo: verify jars", log, `missing one of ${MONGO_JARS.join(", ")}`);
        }
        writeStamp(home, { component: "mongo-java-server", version: MONGO_SERVER_VERSION });
      }
      if (!existsSync(join(launcher, "SluiceMongoServer.class"))) {
        const tmp = `${launcher}.tmp-${process.pid}`;
        rmSync(tmp, { recursive: true, force: true });
        await step(
          progress,
          "install mongo: compile infra/mongo/*.java (javac)",
          ["javac", "-cp", join(home, "*"), "-d", tmp, ...launcherSources(paths)],
          log,
          { timeoutMs: 120_000 },
        );
        rmSync(launcher, { recursive: true, force: true });
        renameSync(tmp, launcher);
      }
    },
  );
}
