import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const SOURCE = join(__dirname, '..', '..', 'src');

/**
 * `@statsd/core` compiled from this checkout's sources into a temporary directory, for tests
 * that run it in a child process (plain Node cannot load TypeScript, and `dist/` may be older
 * than the sources). Returns the directory and the `file://`-free path of its `index.js`; the
 * caller removes the directory with {@link removeCompiledCore}.
 */
export async function compileCore(): Promise<{ dir: string; index: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'statsd-core-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const file of await sourceFiles(SOURCE)) {
    const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const out = join(dir, relative(SOURCE, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
  }
  return { dir, index: join(dir, 'index.js') };
}

export async function removeCompiledCore(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}
