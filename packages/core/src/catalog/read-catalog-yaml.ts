import { Composer, Lexer, LineCounter, Parser, type CST, type Document, type ParsedNode } from 'yaml';
import type { Finding } from '../errors/index.ts';
import { CATALOG_LIMITS, limitMessage } from './catalog-limits.ts';
import { checkYamlTree } from './check-yaml-tree.ts';

/** A catalog's YAML, read: the document (for positions), its plain data and a renderer of offsets. */
export interface ReadYaml {
  doc: Document.Parsed<ParsedNode>;
  data: unknown;
  /** `file:line:col` of an offset into the source. */
  at(offset: number | undefined): string;
}

/**
 * Reads a catalog's YAML (or JSON) source in time and memory linear in its length, or returns why not as findings.
 *
 * The yaml library's own `uniqueKeys` check compares each key with every key before it in its mapping, which is
 * quadratic in the keys of a mapping (40,000 keys: 20 s); here it is off and {@link checkYamlTree} finds duplicate
 * keys with a set, in one pass. Before anything is built the source is bounded: its length
 * ({@link CATALOG_LIMITS.sourceLength}), and, while it is tokenized, how deep its collections nest
 * ({@link CATALOG_LIMITS.depth}; the parser's stack would otherwise grow with the input, `- - - ...` of 1 MB runs
 * the process out of memory). Aliases are refused before the document is turned into data, so no alias expands.
 * Every yaml error, and anything the library throws, becomes a finding.
 */
export function readCatalogYaml(text: string, fileName: string): ReadYaml | { findings: Finding[] } {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return fileName;
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  const fail = (code: string, path: string, message: string): { findings: Finding[] } => ({
    findings: [{ code, severity: 'error', path, message }],
  });

  if (text.length > CATALOG_LIMITS.sourceLength) {
    const found = `${text.length.toLocaleString('en-US')} characters`;
    return fail(
      'CATALOG_LIMIT',
      '',
      `${fileName}: ${limitMessage('sourceLength', found, 'split the catalog into several catalogs, or shorten its descriptions')}`,
    );
  }

  const depth: { tooDeepAt?: number } = {};
  const docs = [
    ...new Composer({ uniqueKeys: false }).compose(boundedTokens(text, lineCounter, depth), true, text.length),
  ];
  if (depth.tooDeepAt !== undefined) {
    const found = 'collections nested too deep';
    return fail(
      'CATALOG_LIMIT',
      '',
      `${at(depth.tooDeepAt)}: ${limitMessage('depth', found, 'a catalog needs at most 10 levels; flatten the nesting')}`,
    );
  }
  const doc = docs[0]!;
  if (docs.length > 1)
    return fail(
      'CATALOG_SYNTAX',
      '',
      `${at(docs[1]!.range[0])}: a catalog is one YAML document; remove the second one`,
    );
  if (doc.errors.length > 0) {
    return {
      findings: doc.errors.slice(0, CATALOG_LIMITS.errors).map((e) => ({
        code: 'CATALOG_SYNTAX',
        severity: 'error' as const,
        path: '',
        message: `${at(e.pos[0])}: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const tree = checkYamlTree(doc.contents, at);
  if (tree.length > 0) return { findings: tree };
  try {
    return { doc, data: doc.toJS({ maxAliasCount: 0 }), at };
  } catch (error) {
    // No alias is left to resolve, so this should not happen; if the library refuses anything else, it is the input's fault.
    return fail(
      'CATALOG_SYNTAX',
      '',
      `${fileName}: the YAML could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * yaml's CST tokens of `text` (what `Parser.parse` yields), stopping early when collections nest deeper than
 * {@link CATALOG_LIMITS.depth}; `out.tooDeepAt` is then the offset where they did. The parser's stack holds the
 * stream's document and each open collection (and a scalar being read), hence the margin of 2.
 */
function* boundedTokens(text: string, lineCounter: LineCounter, out: { tooDeepAt?: number }): Generator<CST.Token> {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    if (parser.stack.length > CATALOG_LIMITS.depth + 2) {
      out.tooDeepAt = parser.offset;
      return;
    }
  }
  yield* parser.end();
}
