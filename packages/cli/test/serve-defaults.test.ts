import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_FILE } from '@trustgate/server';
import { SERVE_DEFAULT_DATABASE_FILE } from '../src/commands/serve.ts';

describe("serve's defaults", () => {
  it("names the server's default store (written out so that registering serve loads no server module)", () => {
    expect(SERVE_DEFAULT_DATABASE_FILE).toBe(DEFAULT_DATABASE_FILE);
  });
});
