import { StatsdDaemon } from '../src/index.js';

/**
 * One real daemon for the tests of a file or `describe` block: started before them, handed to
 * `use`, stopped after them. After each test `cleanUp` runs (servers and connectors the test
 * opened), then the daemon must have seen no bad line.
 */
export function useDaemon(use: (daemon: StatsdDaemon) => void, cleanUp: () => Promise<void>): void {
  let daemon: StatsdDaemon | undefined;
  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
    use(daemon);
  });
  afterAll(async () => {
    await daemon?.stop();
  });
  afterEach(async () => {
    await cleanUp();
    expect(await daemon?.badLines()).toBe(0);
  });
}

/**
 * {@link useDaemon} with a list of cleanup steps: a test pushes a step for each server or
 * connector it opens; after each test they run in reverse order, then the daemon must have seen
 * no bad line.
 */
export function useDaemonWithCleanup(
  use: (daemon: StatsdDaemon) => void,
): Array<() => Promise<void>> {
  const cleanup: Array<() => Promise<void>> = [];
  useDaemon(use, async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  return cleanup;
}
