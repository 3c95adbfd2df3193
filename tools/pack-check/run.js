// The pack check: what users install, tried as users install it. Packs @statsd/core, express,
// koa and fastify with `pnpm pack`, checks the tarballs with attw and publint (and their README
// links, LICENSE and manifest fields ourselves), installs them with npm into a scratch project
// outside the repository next to the lowest framework versions the peer ranges accept, then
// compiles and runs six small applications (ESM with Express and with Fastify, CommonJS,
// TypeScript on `nodenext` as ESM and as CommonJS, and on `commonjs`: the two CommonJS ones are
// one source under two tsconfigs) against the real daemon and reads what it received.
//
// Run from the repository root after `pnpm build`: `node tools/pack-check/run.js`. Every check
// is counted; the last line is "pack check: N passed, N failed", and the counts are written to
// `.pack-check-results.json` for `.ci/run`. Every command has a time limit.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { StatsdDaemon } from '../daemon/dist/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['core', 'express', 'koa', 'fastify'];
const MINUTE = 60_000;

/**
 * The lowest versions the peer ranges accept (installing them must not stop with ERESOLVE), and
 * the typings a TypeScript user of those versions installs.
 */
const FRAMEWORKS = {
  express: '4.17.0',
  koa: '2.13.0',
  '@koa/router': '12.0.0',
  fastify: '4.10.0',
  '@types/express': '4.17.0',
  '@types/koa': '2.13.0',
  '@types/koa__router': '^12.0.0',
  '@types/node': '^20.19.0',
};

/** What each application sends: its service, the route it serves, requests, and worker jobs. */
const APPS = [
  {
    name: 'ESM (Express)',
    run: ['esm-app.mjs'],
    service: 'pack-esm',
    route: 'users._id',
    requests: 3,
    jobs: 2,
  },
  {
    name: 'ESM (Fastify)',
    run: ['fastify-app.mjs'],
    service: 'pack-fastify',
    route: 'accounts._id',
    requests: 4,
    jobs: 7,
  },
  {
    name: 'CommonJS (Koa)',
    run: ['cjs-app.cjs'],
    service: 'pack-cjs',
    route: 'orders._id',
    requests: 2,
    jobs: 3,
  },
  {
    name: 'TypeScript nodenext (Express)',
    compile: 'ts-nodenext',
    run: ['ts-nodenext/dist/app.js'],
    service: 'pack-ts-nodenext',
    route: 'items._id',
    requests: 2,
    jobs: 4,
  },
  {
    name: 'TypeScript commonjs (Koa)',
    compile: 'ts-commonjs',
    run: ['ts-commonjs/dist/app.js', 'pack-ts-commonjs'],
    service: 'pack-ts-commonjs',
    route: 'carts._id',
    requests: 2,
    jobs: 5,
  },
  {
    name: 'TypeScript nodenext, CommonJS (Koa)',
    compile: 'ts-nodenext-cjs',
    run: ['ts-nodenext-cjs/dist/app.js', 'pack-ts-nodenext-cjs'],
    service: 'pack-ts-nodenext-cjs',
    route: 'carts._id',
    requests: 2,
    jobs: 5,
  },
];

let passed = 0;
let failed = 0;

function say(line) {
  process.stdout.write(line + '\n');
}

/** Records one check; `detail` is shown when it failed. */
function record(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  say(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
  if (!ok && detail !== '') say(detail.trimEnd().replace(/^/gm, '       '));
  return ok;
}

/** The environment without the `npm_*` variables pnpm sets for its scripts, which npm would read. */
function cleanEnv(extra = {}) {
  const env = { ...process.env, npm_config_update_notifier: 'false', ...extra };
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_') && key !== 'npm_config_update_notifier') delete env[key];
  }
  return env;
}

/** Runs a command to completion within `timeout` ms; returns whether it exited 0, with output. */
function run(command, args, { cwd, timeout, env = cleanEnv() }) {
  const result = spawnSync(command, args, { cwd, env, timeout, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error !== undefined)
    return { ok: false, output: `${result.error.message}\n${output}` };
  return { ok: result.status === 0, output };
}

function step(name, command, args, options) {
  const { ok, output } = run(command, args, options);
  return record(name, ok, `$ ${command} ${args.join(' ')}\n${output}`);
}

function pack(scratch) {
  const dest = join(scratch, 'tarballs');
  const tarballs = {};
  for (const name of PACKAGES) {
    const ok = step(`pnpm pack @statsd/${name}`, 'pnpm', ['pack', '--pack-destination', dest], {
      cwd: join(repo, 'packages', name),
      timeout: MINUTE,
      env: process.env,
    });
    const file = ok ? readdirSync(dest).find((f) => f.startsWith(`statsd-${name}-`)) : undefined;
    if (file !== undefined) tarballs[name] = join(dest, file);
  }
  return tarballs;
}

function lint(tarballs) {
  const bin = join(repo, 'node_modules', '.bin');
  for (const [name, file] of Object.entries(tarballs)) {
    // The packages are ESM only: a CommonJS caller loads them with require(esm) on Node >= 20.19
    // (the engines range), which attw reports as "CJS resolves to ESM". That one rule is
    // ignored; every resolution mode, node10 included, must still find the types.
    step(
      `attw @statsd/${name}`,
      join(bin, 'attw'),
      [file, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'],
      {
        cwd: repo,
        timeout: 2 * MINUTE,
      },
    );
    step(`publint @statsd/${name}`, join(bin, 'publint'), [file, '--strict'], {
      cwd: repo,
      timeout: MINUTE,
    });
  }
}

/**
 * The registry page shows each package's README outside the repository: a relative link there
 * leads nowhere, so every link must be absolute or an anchor of the same page.
 */
function readmeLinks(tarballs) {
  for (const [name, file] of Object.entries(tarballs)) {
    const { ok, output } = run('tar', ['-xzOf', file, 'package/README.md'], { timeout: MINUTE });
    const relative = ok
      ? [...output.matchAll(/\]\((?!https?:\/\/|#|mailto:)([^)]*)\)/g)].map((m) => m[1])
      : [];
    record(
      `README links of @statsd/${name} work on the registry page`,
      ok && relative.length === 0,
      ok ? `relative links: ${relative.join(', ')}` : output,
    );
  }
}

/**
 * What the registry shows and installs: a LICENSE file, the repository, homepage and issue links,
 * and dependencies that all resolve from the registry (no `workspace:` range, no unpublished
 * `@statsd-internal/*` package).
 */
function manifests(tarballs) {
  for (const [name, file] of Object.entries(tarballs)) {
    const listing = run('tar', ['-tzf', file], { timeout: MINUTE });
    const text = run('tar', ['-xzOf', file, 'package/package.json'], { timeout: MINUTE });
    const problems = [];
    if (!listing.output.split('\n').includes('package/LICENSE')) problems.push('no LICENSE file');
    if (text.ok) {
      const manifest = JSON.parse(text.output);
      for (const field of ['license', 'repository', 'homepage', 'bugs']) {
        if (manifest[field] === undefined) problems.push(`no ${field}`);
      }
      if (text.output.includes('workspace:')) problems.push('a workspace: range');
      if (text.output.includes('@statsd-internal/')) problems.push('an @statsd-internal package');
    } else problems.push(text.output);
    record(
      `package.json and LICENSE of @statsd/${name}`,
      problems.length === 0,
      problems.join('; '),
    );
  }
}

function install(scratch, tarballs) {
  const app = join(scratch, 'app');
  cpSync(join(repo, 'tools', 'pack-check', 'app'), app, { recursive: true });
  const dependencies = { ...FRAMEWORKS };
  for (const [name, file] of Object.entries(tarballs))
    dependencies[`@statsd/${name}`] = `file:${file}`;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'pack-check-app', private: true, dependencies }, null, 2) + '\n',
  );
  const ok = step(
    'npm install the tarballs with the lowest supported frameworks',
    'npm',
    ['install', '--no-audit', '--no-fund'],
    {
      cwd: app,
      timeout: 5 * MINUTE,
    },
  );
  return ok ? app : undefined;
}

async function runApps(app) {
  const daemon = await StatsdDaemon.start();
  try {
    const env = cleanEnv({ STATSD_HOST: daemon.host, STATSD_PORT: String(daemon.tcpPort) });
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const ran = [];
    for (const spec of APPS) {
      if (spec.compile !== undefined) {
        const compiled = step(`tsc ${spec.name}`, process.execPath, [tsc, '-p', spec.compile], {
          cwd: app,
          timeout: 2 * MINUTE,
        });
        if (!compiled) continue;
      }
      if (step(`run ${spec.name}`, process.execPath, spec.run, { cwd: app, timeout: MINUTE, env }))
        ran.push(spec);
    }
    for (const spec of ran) await received(daemon, spec);
    record('the daemon saw no bad line', (await daemon.badLines()) === 0);
  } finally {
    await daemon.stop();
  }
}

/** Checks the daemon holds the application's request timers, its counter and its worker's. */
async function received(daemon, spec) {
  const prefix = `applications.${spec.service}.ci`;
  const lookups = `${prefix}.counters.lookups`;
  const jobs = `applications.${spec.service}-worker.ci.counters.jobs`;
  const timer = `${prefix}.timers.${spec.route}.GET.200`;
  const read = async (d) => ({ counters: await d.counters(), timers: await d.timers() });
  const matches = ({ counters, timers }) =>
    counters[lookups] === spec.requests &&
    counters[jobs] === spec.jobs &&
    timers[timer]?.length === spec.requests;
  let last;
  try {
    last = await daemon.waitFor(read, matches, { timeout: 5_000 });
  } catch {
    last = await read(daemon);
  }
  const seen = `${lookups}=${last.counters[lookups]}, ${jobs}=${last.counters[jobs]}, ${timer}: ${last.timers[timer]?.length ?? 0} values`;
  record(
    `metrics of ${spec.name} arrived`,
    matches(last),
    `expected ${spec.requests}, ${spec.jobs}, ${spec.requests}; got ${seen}`,
  );
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'statsd-pack-check-'));
  try {
    const tarballs = pack(scratch);
    lint(tarballs);
    readmeLinks(tarballs);
    manifests(tarballs);
    const app =
      Object.keys(tarballs).length === PACKAGES.length ? install(scratch, tarballs) : undefined;
    if (app !== undefined) await runApps(app);
    else
      record('applications ran against the daemon', false, 'skipped: packing or installing failed');
  } catch (error) {
    record(
      'pack check finished',
      false,
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  } finally {
    if (process.env.PACK_CHECK_KEEP === undefined)
      rmSync(scratch, { recursive: true, force: true });
    else say(`scratch project kept in ${scratch}`);
  }
  writeFileSync(join(repo, '.pack-check-results.json'), JSON.stringify({ passed, failed }) + '\n');
  say(`pack check: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
