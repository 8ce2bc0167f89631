// A warm "Fargate task" for tests: loads the bundled container entry point
// ahead of time, then waits for the task's environment (one JSON line on
// stdin, what ECS would have set) and runs it exactly as main() does: the
// whole job, or stage-in / stage-out of an image task (WINDHOVER_CONTAINER_MODE).
// Real Fargate takes tens of seconds to start a task; the runner contract's
// timings are about the runner, so the harness hides the start-up cost.
import { createInterface } from 'node:readline';

const { runContainer, containerOptionsFromEnv } = await import(process.argv[2]);
const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
const rl = createInterface({ input: process.stdin });
rl.once('line', async (line) => {
  rl.close();
  Object.assign(process.env, JSON.parse(line));
  try {
    process.exitCode = await runContainer(containerOptionsFromEnv(process.env, abort.signal));
  } catch (error) {
    process.stderr.write(`windhover container failed: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  }
  process.exit();
});
