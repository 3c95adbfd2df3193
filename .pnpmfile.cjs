// pnpm hooks for this workspace. `beforePacking` shapes the package.json that `pnpm pack` and
// `pnpm publish` put in a tarball, leaving the one in the repository as it is.
/* global module */
'use strict';

/** The export condition that points tests and type checks at `src/`, which is not published. */
const SOURCE_CONDITION = '@statsd/source';

/** `exports` without the source condition, at any depth. */
function withoutSourceCondition(exports) {
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return exports;
  const out = {};
  for (const [key, value] of Object.entries(exports)) {
    if (key !== SOURCE_CONDITION) out[key] = withoutSourceCondition(value);
  }
  return out;
}

module.exports = {
  hooks: {
    // A published manifest names only what users install: the devDependencies (among them the
    // unpublished @statsd-internal/* packages) and the condition for unpublished sources go.
    beforePacking(pkg) {
      delete pkg.devDependencies;
      if (pkg.exports !== undefined) pkg.exports = withoutSourceCondition(pkg.exports);
      return pkg;
    },
  },
};
