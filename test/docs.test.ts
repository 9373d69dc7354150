/**
 * Every value a public entry point exports (class, function, constant) carries TSDoc with an
 * `@example`, as the package promises; entry points are read from package.json's `exports`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import ts from 'typescript';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | { types: string }>;
};

const entries = Object.entries(pkg.exports)
  .filter(([, v]) => typeof v === 'object')
  .map(
    ([name, v]) =>
      [
        name,
        (v as { types: string }).types.replace('./dist/', 'src/').replace(/\.d\.ts$/, '.ts'),
      ] as const,
  );

test('every exported value has a TSDoc @example', () => {
  const program = ts.createProgram(
    entries.map(([, file]) => file),
    {
      allowImportingTsExtensions: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    },
  );
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  for (const [name, file] of entries) {
    const source = program.getSourceFile(file);
    assert.ok(source, `${file} exists`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, `${file} is a module`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const isValue =
        symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function | ts.SymbolFlags.Variable);
      if (!isValue) continue;
      const hasExample = symbol.getJsDocTags(checker).some((t) => t.name === 'example');
      if (!hasExample) missing.push(`${name}: ${exported.getName()}`);
    }
  }
  assert.deepEqual(missing, [], `exports without an @example:\n${missing.join('\n')}`);
});
