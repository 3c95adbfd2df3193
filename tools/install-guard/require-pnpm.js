// The root `preinstall` script. This repository is a pnpm workspace (`workspace:` links, one
// pnpm-lock.yaml): npm or yarn would install something that looks fine and leave the packages
// unlinked, so the tests and the demo fail later with errors that do not point here. Published
// packages are not affected: this file belongs to the private workspace root only.
import process from 'node:process';

const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  const tool = agent.split('/')[0] || 'this package manager';
  const lockfile = tool === 'yarn' ? 'yarn.lock' : 'package-lock.json';
  process.stderr.write(
    `\nThis repository is installed with pnpm, not ${tool}.\n` +
      'Run `npx -y pnpm@10.34.9 install` instead (no global install needed),\n' +
      `first deleting what ${tool} may have written: node_modules and ${lockfile}.\n\n`,
  );
  process.exitCode = 1;
}
