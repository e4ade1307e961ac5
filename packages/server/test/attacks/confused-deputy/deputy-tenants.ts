import { OPERATOR_TOKEN, type ApiResponse } from '../../service-harness.ts';
import type { BrokerEnv } from '../../issuance-harness.ts';

/** The attacker: another organization of the same service, with its admin's token. */
export interface Attacker {
  organizationId: string;
  token: string;
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/** Creates the attacking organization through the operator route. */
export async function attackerOf(env: BrokerEnv): Promise<Attacker> {
  const res = await env.api('POST', '/v1/organizations', {
    token: OPERATOR_TOKEN,
    body: { name: 'Mallory', adminEmail: 'admin@mallory.test', adminName: 'Mallory admin' },
  });
  if (res.status !== 201) throw new Error(`attacker: ${res.status} ${res.text}`);
  const token: string = res.body.token.secret;
  return {
    organizationId: res.body.organization.id,
    token,
    api: (method, path, body) => env.api(method, path, { token, ...(body === undefined ? {} : { body }) }),
  };
}

/** The tally of one suite, printed at its end. */
export class Tally {
  cases = 0;
  refused = 0;
  readonly failures: string[] = [];

  /**
   * Records a case that must be a clear refusal: a 4xx whose error code is one of `codes` (never a throttle, a
   * timeout or a 5xx, which say nothing about whether the role would have been assumed), with no credentials.
   */
  refusal(what: string, res: ApiResponse, codes: readonly string[]): void {
    this.cases += 1;
    const code: unknown = res.body?.error?.code;
    const clear =
      res.status >= 400 &&
      res.status < 500 &&
      res.status !== 429 &&
      typeof code === 'string' &&
      codes.includes(code) &&
      res.body?.credentials === undefined &&
      res.body?.assumeRole === undefined;
    if (clear) this.refused += 1;
    else this.failures.push(`${what}: ${res.status} ${res.text.slice(0, 240)}`);
  }

  /** Records a case checked by `ok` (true: refused correctly); `detail` says what was seen otherwise. */
  check(what: string, ok: boolean, detail: string): void {
    this.cases += 1;
    if (ok) this.refused += 1;
    else this.failures.push(`${what}: ${detail}`);
  }

  summary(name: string): string {
    return `${name}: ${this.cases} cases tried, ${this.refused} refused correctly, ${this.failures.length} failures`;
  }
}
