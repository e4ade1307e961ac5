import { isAlias, isMap, isScalar, isSeq, type ParsedNode } from 'yaml';
import type { Finding } from '../errors/index.ts';
import { CATALOG_LIMITS, limitMessage } from './catalog-limits.ts';
import { formatPath } from './check-catalog.ts';

/**
 * Checks a composed YAML tree in one pass (an explicit stack, so no recursion however deep), before it becomes
 * data. Findings, in the order of the source, at most {@link CATALOG_LIMITS.errors}:
 *
 * - `CATALOG_SYNTAX` "Map keys must be unique" for a key whose property name (`1` and `"1"` are both `"1"`) is
 *   already in its mapping, at the repeated key; found with a set per mapping, so linear in the keys (the yaml
 *   library's `uniqueKeys` compares each key with all before it). A key that is a collection is refused too.
 * - `CATALOG_ALIAS` for every alias (`*name`). A catalog never needs one: JSON cannot express it, the example has
 *   none, and an alias is how a few bytes expand into billions of nodes; a finding inside an aliased value would
 *   also point at the anchor, not at the use. Anchors alone (`&name`) are harmless and ignored.
 * - `CATALOG_LIMIT` for a mapping with more than {@link CATALOG_LIMITS.mappingKeys} keys, or collections nested
 *   deeper than {@link CATALOG_LIMITS.depth}; their contents are not looked at.
 *
 * `at` renders an offset of the source as `file:line:col`.
 */
export function checkYamlTree(root: ParsedNode | null, at: (offset: number) => string): Finding[] {
  const found: Array<Finding & { offset: number }> = [];
  const add = (code: string, node: ParsedNode, path: Array<string | number>, message: string): void => {
    found.push({
      code,
      severity: 'error',
      path: formatPath(path),
      message: `${at(node.range[0])}: ${message}`,
      offset: node.range[0],
    });
  };
  const stack: Array<{ node: ParsedNode | null; path: Array<string | number> }> = [{ node: root, path: [] }];
  while (stack.length > 0 && found.length < CATALOG_LIMITS.errors) {
    const { node, path } = stack.pop()!;
    if (node === null || isScalar(node)) continue;
    if (isAlias(node)) {
      add(
        'CATALOG_ALIAS',
        node,
        path,
        `the alias *${node.source} is not accepted in a catalog: write the value out where it is used`,
      );
      continue;
    }
    if (path.length >= CATALOG_LIMITS.depth) {
      add(
        'CATALOG_LIMIT',
        node,
        path,
        limitMessage(
          'depth',
          `a collection nested ${path.length + 1} deep`,
          'a catalog needs at most 10 levels; flatten the nesting',
        ),
      );
      continue;
    }
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i]!, path: [...path, i] });
      continue;
    }
    if (!isMap(node)) continue;
    if (node.items.length > CATALOG_LIMITS.mappingKeys) {
      const keys = `${node.items.length.toLocaleString('en-US')} keys in one mapping`;
      add(
        'CATALOG_LIMIT',
        node,
        path,
        limitMessage(
          'mappingKeys',
          keys,
          'no mapping of a catalog has that many keys; look for a missing "-" or wrong indentation',
        ),
      );
      continue;
    }
    const names = new Set<string>();
    const next: typeof stack = [];
    for (const { key, value } of node.items) {
      if (isAlias(key)) {
        next.push({ node: key, path });
      } else if (!isScalar(key)) {
        add('CATALOG_SYNTAX', key, path, 'a key must be a name, not a list or a mapping');
      } else {
        const name =
          key.value === null ? '' : typeof key.value === 'symbol' ? (key.value.description ?? '') : String(key.value);
        if (names.has(name))
          add(
            'CATALOG_SYNTAX',
            key,
            [...path, name],
            `Map keys must be unique: "${name}" is already a key of this mapping`,
          );
        names.add(name);
        next.push({ node: value, path: [...path, name] });
      }
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!); // popped in the order of the source
  }
  return found.sort((a, b) => a.offset - b.offset).map(({ offset: _offset, ...finding }) => finding);
}
