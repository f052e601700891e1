/**
 * A MongoDB-wire server of a test's own: the command line infra/stack uses (cached jars), on a free
 * port, with an h2 data file in a temporary directory so a restart keeps the data. Tests kill and
 * restart it; the shared stack's server is never touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolvePaths } from "../../../infra/stack/config.ts";
import { mongoServerCommand } from "../../../infra/stack/host.ts";
import { ensureMongo } from "../../../infra/stack/install.ts";
import { freePort, Progress } from "../../../infra/stack/proc.ts";

export interface OwnMongo {
  readonly port: number;
  readonly url: string;
  /** Starts (or restarts) the server and resolves once it listens. */
  start(): Promise<void>;
  /** SIGKILLs the server if it runs. */
  kill(): Promise<void>;
  /** Kills it and deletes its data. */
  dispose(): Promise<void>;
}

export async function ownMongo(label: string): Promise<OwnMongo> {
  const paths = resolvePaths(resolve(import.meta.dirname, "..", "..", ".."), process.env);
  await ensureMongo(paths, new Progress(true));
  const dataDir = mkdtempSync(join(tmpdir(), `sluice-${label}-`));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((done) => c.once("exit", () => done()));
    c.kill("SIGKILL");
    await exited;
  };

  return {
    port,
    url: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    async start() {
      await kill();
      const [cmd, ...args] = mongoServerCommand(paths, port, { kind: "h2", file: join(dataDir, "db.mv.db") });
      const c = spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      let output = "";
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 50_000);
        c.stdout!.on("data", (d: Buffer) => {
          output += d.toString();
          if (output.includes("SluiceMongoServer listening")) {
            clearTimeout(timer);
            done();
          }
        });
        c.stderr!.on("data", (d: Buffer) => (output += d.toString()));
        c.once("exit", (code, signal) => {
          clearTimeout(timer);
          fail(new Error(`server exited (${code ?? signal}) during startup:\n${output}`));
        });
      });
    },
    kill,
    async dispose() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
