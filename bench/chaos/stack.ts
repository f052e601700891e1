/**
 * The chaos run's own local stack: LocalStack and the MongoDB-wire server with the persistent `h2`
 * backend, in host mode, on free ports of its own and under its own state directory, so it never
 * touches another stack on the machine. `kill(service)` SIGKILLs a service's process group;
 * `start(service)` brings it back on the same port (the MongoDB data file stays; LocalStack comes
 * back empty).
 */
import type { Env, StackEnv } from "../../infra/stack/config.ts";
import { resolvePaths, type Paths, type ServiceName } from "../../infra/stack/config.ts";
import { hostUp } from "../../infra/stack/host.ts";
import { ensureStack } from "../../infra/stack/index.ts";
import { groupMembers, readPidRecord } from "../../infra/stack/pidfile.ts";
import { freePort, Progress, sleep } from "../../infra/stack/proc.ts";

export interface ChaosStack {
  readonly env: StackEnv;
  readonly paths: Paths;
  kill(service: ServiceName): Promise<void>;
  start(service: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = new URL("../..", import.meta.url).pathname;

export async function startChaosStack(stateDir: string): Promise<ChaosStack> {
  const env: Record<string, string | undefined> = { ...process.env };
  // Its own stack, always: endpoints given to the shell are someone else's.
  delete env.AWS_ENDPOINT_URL;
  delete env.MONGO_URL;
  Object.assign(env, {
    SLUICE_STATE_DIR: stateDir,
    SLUICE_STACK: "host",
    SLUICE_MONGO_BACKEND: "h2",
    SLUICE_LOCALSTACK_PORT: String(await freePort()),
    SLUICE_MONGO_PORT: String(await freePort()),
  });
  const stackEnvIn: Env = env;
  const paths = resolvePaths(ROOT, stackEnvIn);
  const stack = await ensureStack({ env: stackEnvIn, root: ROOT });
  const progress = new Progress();
  return {
    env: stack.env,
    paths,
    async kill(service) {
      const rec = readPidRecord(paths.run, service);
      if (!rec) return;
      try {
        process.kill(-rec.pgid, "SIGKILL");
      } catch {
        // already gone
      }
      for (let i = 0; i < 100 && groupMembers(rec.pgid).length > 0; i++) await sleep(100);
    },
    async start(service) {
      await hostUp(paths, stackEnvIn, [service], progress);
    },
    stop: () => stack.stop(),
  };
}
