import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Tests run as CommonJS under ts-jest, where `__dirname` is this folder.
const root = join(__dirname, '../../..');
const script = join(__dirname, '../require-pnpm.js');

/** Runs the guard as a package manager would run the root `preinstall` script. */
function preinstall(userAgent: string | undefined): { status: number | null; stderr: string } {
  const env = { ...process.env };
  delete env.npm_config_user_agent;
  if (userAgent !== undefined) env.npm_config_user_agent = userAgent;
  const run = spawnSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 10000 });
  return { status: run.status, stderr: run.stderr };
}

describe('the install guard', () => {
  it('is the root preinstall script', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.preinstall).toBe('node tools/install-guard/require-pnpm.js');
  });

  it('refuses npm with a message that names the pnpm command', () => {
    const run = preinstall('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('installed with pnpm, not npm');
    expect(run.stderr).toContain('npx -y pnpm@10.34.9 install');
    expect(run.stderr).toContain('package-lock.json');
  });

  it('refuses yarn and names the lockfile yarn wrote', () => {
    const run = preinstall('yarn/1.22.22 npm/? node/v20.20.2 linux x64');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not yarn');
    expect(run.stderr).toContain('yarn.lock');
  });

  it('refuses a tool that names no user agent', () => {
    expect(preinstall(undefined).status).toBe(1);
  });

  it('lets pnpm install', () => {
    expect(preinstall('pnpm/10.34.9 npm/? node/v20.20.2 linux x64')).toEqual({
      status: 0,
      stderr: '',
    });
  });
});

describe('the project .npmrc', () => {
  it('turns off the npm and pnpm update banners', () => {
    const lines = readFileSync(join(root, '.npmrc'), 'utf8').split('\n');
    expect(lines).toContain('update-notifier=false');
  });
});
