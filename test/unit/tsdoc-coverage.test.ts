/**
 * TSDoc coverage of the public surface: every symbol the package's three entry points export
 * (package.json "exports": lib/index.ts, lib/testing/index.ts, native-defs/index.ts) carries a
 * JSDoc comment with real text on its declaration, and so does every public member of an exported
 * class or interface (and of an exported type alias that is an object type, which reads like one).
 *
 * What counts as public: members without `private`, `#private` or `protected`. Protected members
 * are left out because no class of the package is meant to be subclassed by its users (the one
 * protected member today, SecretKey's constructor, exists for an internal subclass; users call
 * SecretKey.from/fromHex): such a member is shared inside one class family, not called by users.
 *
 * "Real text" means a comment that is not empty and does not merely restate the name ("The foo."
 * on `foo`). Overloads carry one comment, on their first signature (callers never see the
 * implementation's). A member that implements or overrides a documented member of a base type
 * counts as documented when the editor shows the inherited text for it.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }> };

/** The source file of each entry point, from package.json's "exports" (dist/x.d.ts -> x.ts). */
const entries = Object.values(pkg.exports).map((entry) => entry.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));

/**
 * The README's TypeScript examples (the blocks marked `<!-- readme-test: NAME -->`; test/vm/readme.test.ts
 * runs them) as virtual files at the repository root, their imports pointed at the sources, so
 * they are type-checked with the package: an example that no longer compiles is a doc bug too.
 */
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = new Map(
  [...readme.matchAll(/<!-- readme-test: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)].map((match) => [
    join(root, `README.${match[1]!}.ts`),
    match[2]!.replaceAll("from 'tsdmsetup/testing'", "from './lib/testing/index.js'").replaceAll("from 'tsdmsetup'", "from './lib/index.js'"),
  ]),
);

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};
const host = ts.createCompilerHost(options);
const readHostFile = host.readFile.bind(host);
const hostFileExists = host.fileExists.bind(host);
host.readFile = (file) => examples.get(file) ?? readHostFile(file);
host.fileExists = (file) => examples.has(file) || hostFileExists(file);
const program = ts.createProgram([...entries.map((file) => join(root, file)), ...examples.keys()], options, host);
const checker = program.getTypeChecker();

/** A place in the sources a reader can open: `lib/x.ts:12`. */
function where(node: ts.Node): string {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${relative(root, file.fileName)}:${line + 1}`;
}

/** The lowercased words of an identifier: `thinPool` -> thin, pool; `MAX_NAME_BYTES` -> max, name, bytes. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Whether `text` says something beyond the name it documents. */
function isRealText(text: string, name: string): boolean {
  // "log-writes' params." restates LogWritesParams as much as "The log writes params." does.
  const words = text.toLowerCase().replace(/'s?\b/g, '').split(/[^a-z0-9]+/).filter((word) => word && !['the', 'a', 'an', 'this', 'of'].includes(word));
  if (words.length === 0) return false;
  const own = nameWords(name);
  return words.join(' ') !== own.join(' ');
}

/** The comment text written on `node` itself (its JSDoc blocks, tags' text included). */
function ownDoc(node: ts.Node): string {
  // A variable's JSDoc sits on its statement: `/** … */ export const x = …`.
  const target = ts.isVariableDeclaration(node) && ts.isVariableDeclarationList(node.parent) ? node.parent.parent : node;
  return ts
    .getJSDocCommentsAndTags(target)
    .map((doc) => {
      // A parameter property (`constructor(readonly line: number)`) may be documented by the
      // constructor's `@param line …`.
      if (ts.isJSDocParameterTag(doc)) return ts.isParameter(node) ? (ts.getTextOfJSDocComment(doc.comment) ?? '') : '';
      if (!ts.isJSDoc(doc)) return '';
      return [ts.getTextOfJSDocComment(doc.comment) ?? '', ...(doc.tags ?? []).map((tag) => ts.getTextOfJSDocComment(tag.comment) ?? '')].join(' ');
    })
    .join(' ')
    .trim();
}

/** Declarations that are not a kind this test documents (an implementation under overloads, …). */
function documentable(declaration: ts.Declaration): boolean {
  if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration)) {
    // Under overloads, the first signature carries the comment; the implementation is not what a
    // caller sees.
    const symbol = (declaration as ts.Declaration & { symbol?: ts.Symbol }).symbol;
    const all = (symbol?.declarations ?? []).filter((other) => other.kind === declaration.kind);
    return all.length < 2 || all[0] === declaration;
  }
  return !ts.isSourceFile(declaration) && !ts.isModuleDeclaration(declaration);
}

/** Whether a class or interface member is part of the public surface. */
function isPublicMember(member: ts.Node): boolean {
  if (ts.isIndexSignatureDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) return false;
  if (ts.isConstructorDeclaration(member)) return !hasModifier(member, ts.SyntaxKind.PrivateKeyword) && !hasModifier(member, ts.SyntaxKind.ProtectedKeyword);
  const name = (member as ts.NamedDeclaration).name;
  if (name && ts.isPrivateIdentifier(name)) return false;
  return !hasModifier(member, ts.SyntaxKind.PrivateKeyword) && !hasModifier(member, ts.SyntaxKind.ProtectedKeyword);
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind);
}

/** A member's name as a reader writes it: `close`, `[Symbol.dispose]`, `constructor`. */
function memberName(member: ts.Node): string {
  if (ts.isConstructorDeclaration(member)) return 'constructor';
  if (ts.isCallSignatureDeclaration(member)) return '(call)';
  if (ts.isConstructSignatureDeclaration(member)) return 'new';
  const name = (member as ts.NamedDeclaration).name;
  return name ? name.getText() : '(anonymous)';
}

/** Whether the editor shows inherited documentation for `member` (from a base class or interface). */
function inheritsDoc(member: ts.Node): boolean {
  const symbol = checker.getSymbolAtLocation((member as ts.NamedDeclaration).name ?? member);
  if (!symbol) return false;
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== '';
}

/** The members of an object-shaped declaration, if it has any to document. */
function membersOf(declaration: ts.Declaration): readonly ts.Node[] {
  if (ts.isInterfaceDeclaration(declaration)) return declaration.members;
  if (ts.isClassDeclaration(declaration)) {
    // Parameter properties are members too: `constructor(readonly line: number)`.
    const parameterProperties = declaration.members
      .filter(ts.isConstructorDeclaration)
      .flatMap((constructor) => constructor.parameters.filter((parameter) => ts.isParameterPropertyDeclaration(parameter, constructor)));
    return [...declaration.members, ...parameterProperties];
  }
  if (ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)) return declaration.type.members;
  return [];
}

/** Every undocumented public symbol and member the entry points export, as `name (file:line)`. */
function missingDocs(): { missing: string[]; checked: number } {
  const missing = new Set<string>();
  let checked = 0;
  for (const entry of entries) {
    const source = program.getSourceFile(join(root, entry));
    if (!source) throw new Error(`${entry}: not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of symbol.declarations ?? []) {
        if (!documentable(declaration)) continue;
        if (declaration.getSourceFile().isDeclarationFile) continue; // from node_modules
        checked += 1;
        if (!isRealText(ownDoc(declaration), symbol.name)) missing.add(`${symbol.name} (${where(declaration)})`);
        for (const member of membersOf(declaration)) {
          if (!isPublicMember(member)) continue;
          if (!documentable(member as ts.Declaration)) continue;
          checked += 1;
          const name = memberName(member);
          if (!isRealText(ownDoc(member), name) && !inheritsDoc(member)) missing.add(`${symbol.name}.${name} (${where(member)})`);
        }
      }
    }
  }
  return { missing: [...missing].sort(), checked };
}

describe('TSDoc on the public surface', () => {
  it('finds the three entry points and their exports', () => {
    expect(entries.sort()).toEqual(['lib/index.ts', 'lib/testing/index.ts', 'native-defs/index.ts']);
    const { checked } = missingDocs();
    expect(checked).toBeGreaterThan(1000); // 1146 declarations and members when this was written
  });

  it('tells a name that is only restated from real text', () => {
    expect(isRealText('The foo.', 'foo')).toBe(false);
    expect(isRealText('The thin pool.', 'thinPool')).toBe(false);
    expect(isRealText('', 'x')).toBe(false);
    expect(isRealText("crypt's params.", 'CryptParams')).toBe(false);
    expect(isRealText("log-writes' params.", 'LogWritesParams')).toBe(false);
    expect(isRealText('Length in 512-byte sectors.', 'length')).toBe(true);
  });

  it("the README's TypeScript examples type-check against the sources (strict, as the package builds)", () => {
    expect([...examples.keys()].map((file) => relative(root, file)).sort()).toEqual(['README.real-host-ts.ts', 'README.stats.ts', 'README.test-kit.ts', 'README.toolkit.ts']);
    const problems = [...examples.keys()].flatMap((file) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const at = d.file && d.start !== undefined ? `:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
        return `${relative(root, file)}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      }),
    );
    expect(problems).toEqual([]);
  });

  it('every exported symbol, and every public member of an exported class or interface, has TSDoc', () => {
    const { missing } = missingDocs();
    expect(missing, `missing TSDoc (${missing.length}):\n${missing.join('\n')}`).toEqual([]);
  });
});
