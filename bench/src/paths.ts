import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A compiled file next to the running script (`bench/dist/…`). The entry points are always run
 * from `bench/dist`, so the script's own path locates its siblings without `import.meta`.
 */
export function distFile(name: string): string {
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot locate bench/dist: no script path');
  return join(dirname(realpathSync(script)), name);
}
