/** Comma-separated and repeatable: `--products a,b --products c` -> [a, b, c]. */
export const commaList = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** Repeatable, no splitting (external IDs may contain commas): `--external-id a --external-id b` -> [a, b]. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
