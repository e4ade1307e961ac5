import { readFileSync } from 'node:fs';
import { TrustgateError } from '@trustgate/core';

/** Options of {@link readTextFile}. */
export interface ReadTextFileOptions {
  /** The option the file came from, reported as the error's `field`. */
  field: string;
  /** What the file is, named in the message before its path (`cannot read catalog x.yaml`); none by default. */
  what?: string;
}

/**
 * Reads a file the user named as UTF-8 text. Throws `FILE_NOT_READABLE` naming the file, the option it came from
 * and the system's error code (`ENOENT`, `EACCES`), with the error as the cause.
 */
export function readTextFile(file: string, options: ReadTextFileOptions): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const what = options.what === undefined ? '' : `${options.what} `;
    throw new TrustgateError(
      'FILE_NOT_READABLE',
      `cannot read ${what}${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { field: options.field, cause: error },
    );
  }
}
