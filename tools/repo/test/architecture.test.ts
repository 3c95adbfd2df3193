import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const TOP_LEVEL = /^(?:packages|examples|tools|bench)\/[\w./{},*-]*$/;

/** `packages/{express,koa}/src` → `packages/express/src`, `packages/koa/src`. */
function expand(path: string): string[] {
  const braces = /\{([^}]*)\}/.exec(path);
  if (braces === null) return [path];
  const [whole, inner = ''] = braces;
  return inner.split(',').flatMap((choice) => expand(path.replace(whole, choice)));
}

/** Every repository path ARCHITECTURE.md names: in backticks, in its figure, or as a link. */
function pathsNamed(text: string): string[] {
  const named = new Set<string>();
  for (const [, code = ''] of text.matchAll(/`([^`\n]+)`/g)) {
    if (TOP_LEVEL.test(code)) named.add(code);
  }
  for (const [word = ''] of text.matchAll(/(?:packages|examples|tools|bench)\/[\w./{},-]+/g)) {
    named.add(word.replace(/[.,]$/, ''));
  }
  for (const [, target = ''] of text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
    if (!/^[a-z]+:/.test(target)) named.add(target);
  }
  return [...named].flatMap(expand).sort();
}

describe('ARCHITECTURE.md', () => {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const paths = pathsNamed(text);

  it('names the rooms by their paths', () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        'packages/core/src/connector.ts',
        'packages/core/src/dialect.ts',
        'packages/core/src/framework/',
        'tools/daemon/',
        'bench/',
      ]),
    );
  });

  it.each(paths)('names %s, which exists', (path) => {
    expect(existsSync(join(ROOT, path))).toBe(true);
  });

  it('is linked from the root README', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](ARCHITECTURE.md)');
  });
});
