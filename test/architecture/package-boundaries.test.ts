// The rules of docs/architecture.md that a reader would otherwise have to trust: a service package is
// imported only from its own folder, `@warren/shared` is imported by subpath, and a package loads
// only the libraries its work needs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const ROOT = join(import.meta.dirname, '..', '..');
const SERVICES = ['auth', 'chat-api', 'persister', 'ws-gateway'] as const;

/** Every tracked or new source file of the checkout, relative to its root. */
function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed.split('\n').filter((file) => /\.(ts|tsx|mts|mjs|js)$/.test(file) && !file.includes('node_modules'));
}

/** The package specifiers a file names in `import`, `export … from`, `import()` and `import.meta.resolve`. */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bresolve\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

/** The packages under node_modules that importing `specifier` in a fresh process loads through CommonJS. */
function packagesLoadedBy(specifier: string): string[] {
  // knex, pg and express are CommonJS: whatever imports them, they land in the CommonJS cache.
  const script = `
    await import(${JSON.stringify(specifier)});
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const names = loaded.map((path) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(path)?.[1]).filter(Boolean);
    console.log(JSON.stringify([...new Set(names)]));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as string[];
}

describe('package boundaries', () => {
  const files = sourceFiles().map((file) => ({
    file,
    specifiers: specifiersOf(readFileSync(join(ROOT, file), 'utf8')),
  }));

  it('finds the imports it checks', () => {
    const named = files.flatMap(({ specifiers }) => specifiers);
    expect(named).to.include('@warren/shared/amqp');
    expect(named.filter((specifier) => specifier.startsWith('@warren/')).length).to.be.greaterThan(100);
  });

  it('imports a service package only from inside its own folder', () => {
    const crossings = files.flatMap(({ file, specifiers }) =>
      specifiers
        .filter((specifier) =>
          SERVICES.some(
            (service) =>
              (specifier === `@warren/${service}` || specifier.startsWith(`@warren/${service}/`)) &&
              !file.startsWith(`services/${service}/`),
          ),
        )
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(crossings).to.deep.equal([]);
  });

  it('imports @warren/shared by subpath, as its package exports it', () => {
    const exported = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'shared', 'package.json'), 'utf8')) as { exports: Record<string, string> })
        .exports,
    ).map((path) => `@warren/shared${path.slice(1)}`);
    const wrong = files.flatMap(({ file, specifiers }) =>
      specifiers
        .filter((specifier) => specifier.startsWith('@warren/shared') && !exported.includes(specifier))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(wrong).to.deep.equal([]);
  });

  it('the web client takes only types from shared', () => {
    const statements = files
      .filter(({ file }) => file.startsWith('web/src/'))
      .flatMap(({ file }) =>
        [
          ...readFileSync(join(ROOT, file), 'utf8').matchAll(/\b(?:import|export)\b[^;]*?from\s*'(@warren\/[^']+)'/g),
        ].map(([statement]) => `${file}: ${statement.replace(/\s+/g, ' ')}`),
      );
    expect(statements, 'the web client names shared').to.not.be.empty;
    expect(
      statements.filter((line) => !/: (import|export) type .* from '@warren\/shared\/contract'$/.test(line)),
    ).to.deep.equal([]);
  });

  it("mirrors each package's src in its unit tests", () => {
    const units = files
      .map(({ file }) => /^((?:services\/[^/]+|shared|cli|web))\/test\/(.+?)(?:\.property)?\.test\.ts$/.exec(file))
      .filter((match) => match !== null && !match[0].endsWith('.integration.test.ts'));
    expect(units, 'unit tests found').to.have.length.greaterThan(50);
    const strays = units
      .filter((match) => {
        const [, pkg, path] = match as RegExpExecArray;
        const source = join(ROOT, pkg as string, 'src', path as string);
        return !['.ts', '.tsx', '/index.ts'].some((ending) => existsSync(`${source}${ending}`));
      })
      .map((match) => (match as RegExpExecArray)[0]);
    expect(strays).to.deep.equal([]);
  });

  it('the ws-gateway, which knows no database, loads neither knex nor pg', function () {
    this.timeout(30_000);
    const loaded = packagesLoadedBy('@warren/ws-gateway');
    expect(loaded, 'the probe sees CommonJS packages').to.include('amqplib');
    expect(loaded).to.not.include.members(['knex', 'pg']);
  });

  it('the CLI, which serves no HTTP, does not load express', function () {
    this.timeout(30_000);
    const loaded = packagesLoadedBy('@warren/cli');
    expect(loaded, 'the probe sees CommonJS packages').to.include('amqplib');
    expect(loaded).to.not.include('express');
  });
});
