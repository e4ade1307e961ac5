import { AwsError } from './aws-error.ts';

/**
 * The parameters of one AWS Query protocol request (form-encoded `application/x-www-form-urlencoded` body),
 * with readers for the protocol's flattened shapes: lists as `Name.member.N`, structures in lists as
 * `Name.member.N.Field` (AWS Query protocol: "Query parameter serialization").
 */
export class QueryParams {
  readonly raw: ReadonlyMap<string, string>;

  constructor(raw: Map<string, string>) {
    this.raw = raw;
  }

  /** Parses a form-encoded body (and optional URL query string) into parameters. */
  static parse(body: string, query = ''): QueryParams {
    const map = new Map<string, string>();
    for (const source of [query, body]) {
      for (const [key, value] of new URLSearchParams(source)) map.set(key, value);
    }
    return new QueryParams(map);
  }

  /** The value of a parameter, or undefined. */
  get(name: string): string | undefined {
    return this.raw.get(name);
  }

  /**
   * A required parameter. A missing one is rejected the way AWS's request validation rejects it:
   * `ValidationError` "1 validation error detected: Value null at 'x' failed to satisfy constraint: Member must not be null".
   */
  required(name: string): string {
    const value = this.raw.get(name);
    if (value === undefined) {
      const member = name.charAt(0).toLowerCase() + name.slice(1);
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
        400,
      );
    }
    return value;
  }

  /** An integer parameter, or undefined. */
  int(name: string): number | undefined {
    const value = this.raw.get(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n))
      throw new AwsError(
        'ValidationError',
        `Value '${value}' at '${name}' failed to satisfy constraint: Member must be an integer`,
        400,
      );
    return n;
  }

  /** A boolean parameter, or undefined. */
  bool(name: string): boolean | undefined {
    const value = this.raw.get(name);
    return value === undefined ? undefined : value === 'true';
  }

  /** A list of scalars serialized as `Name.member.1`, `Name.member.2`, ... */
  list(name: string): string[] | undefined {
    const out: string[] = [];
    let present = this.raw.has(name); // an empty list is sent as `Name=`
    for (let i = 1; ; i++) {
      const value = this.raw.get(`${name}.member.${i}`);
      if (value === undefined) break;
      present = true;
      out.push(value);
    }
    return present ? out : undefined;
  }

  /** A list of structures serialized as `Name.member.N.Field`. */
  structList(name: string): Array<Record<string, string>> | undefined {
    const out: Array<Record<string, string>> = [];
    let present = this.raw.has(name);
    for (let i = 1; ; i++) {
      const prefix = `${name}.member.${i}.`;
      const entry: Record<string, string> = {};
      let found = false;
      for (const [key, value] of this.raw) {
        if (key.startsWith(prefix)) {
          entry[key.slice(prefix.length)] = value;
          found = true;
        }
      }
      if (!found) break;
      present = true;
      out.push(entry);
    }
    return present ? out : undefined;
  }

  /** Tags given as `Tags.member.N.Key` / `.Value`. */
  tags(name = 'Tags'): Array<{ Key: string; Value: string }> | undefined {
    return this.structList(name)?.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  }
}
