import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerEnv, type BrokerEnv } from '../../server/test/issuance-harness.ts';
import { runTrustgate, type CliRun } from './run-trustgate.ts';

/**
 * `trustgate attachments edit` (issue 17) against the service on the sandbox: a change the role does not trust exits
 * 7 with the failed check and changes nothing, a narrowing is applied and printed as the API's JSON, no flag is a
 * usage error; and `audit list --follow` reads a burst of concurrent events through the API's cursor, each once.
 */
describe('trustgate attachments edit and audit --follow against the service', { timeout: 120_000 }, () => {
  let env: BrokerEnv;
  let attachmentId: string;
  const runs: CliRun[] = [];
  const tg = async (args: string[]): Promise<CliRun> => {
    const ran = await runTrustgate(args, { env: { TRUSTGATE_URL: env.url, TRUSTGATE_TOKEN: env.adminToken } });
    runs.push(ran);
    return ran;
  };

  beforeAll(async () => {
    env = await startBrokerEnv({ dialect: 'sqlite' });
    const c = await env.connect('edited', undefined, { externalIdTrust: { kind: 'scoped', phases: ['read'] } });
    const stack = await env.api('POST', '/v1/stacks', { token: env.adminToken, body: { slug: 'net', name: 'Net' } });
    const attached = await env.api('POST', `/v1/stacks/${stack.body.id}/attachments`, {
      token: env.adminToken,
      body: { connectionId: c.id, phases: ['read'] },
    });
    expect(attached.status, attached.text).toBe(201);
    attachmentId = attached.body.id;
  });
  afterAll(async () => {
    for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain(env.adminToken);
    await env?.close();
  });

  it('edits an attachment: refused checks exit 7 and change nothing; a narrowing is applied', async () => {
    const refused = await tg(['attachments', 'edit', attachmentId, '--stack', 'net', '--phases', 'read,write']);
    expect(refused.code, refused.stderr).toBe(7);
    expect(refused.stderr).toContain('The attachment was not changed');
    expect(refused.stderr).toContain('write');

    const edited = await tg([
      'attachments',
      'edit',
      attachmentId,
      '--stack',
      'net',
      '--session-mode',
      'shared',
      '--duration',
      '15m',
      '--read-only-session-policy',
      '-o',
      'json',
    ]);
    expect(edited.code, edited.stderr).toBe(0);
    const shown = JSON.parse(edited.stdout);
    expect(shown).toMatchObject({
      id: attachmentId,
      phases: ['read'],
      sessionMode: 'shared',
      durationSeconds: 900,
      readOnlySessionPolicy: true,
    });
    expect(shown.verification.checks).toEqual([expect.objectContaining({ phase: 'read', ok: true })]);

    const nothing = await tg(['attachments', 'edit', attachmentId, '--stack', 'net']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Nothing to change');
  });

  it('audit --follow prints a burst of concurrent events once each, none skipped', async () => {
    const following = runTrustgate(
      ['audit', 'list', '--follow', '--limit', '0', '--count', '24', '--interval', '0.2', '-o', 'json'],
      { env: { TRUSTGATE_URL: env.url, TRUSTGATE_TOKEN: env.adminToken }, timeoutMs: 60_000 },
    );
    let done = false;
    void following.then(() => (done = true));
    // Bursts of concurrent writes until the follower has printed 24 events (it starts after the log's end then).
    for (let round = 0; !done && round < 40; round += 1) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          env.api('POST', '/v1/spaces', { token: env.adminToken, body: { name: `s${round}-${i}` } }),
        ),
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    const run = await following;
    runs.push(run);
    expect(run.code, run.stderr).toBe(0);
    const followed = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; id: string; action: string });
    expect(followed).toHaveLength(24);
    for (const e of followed) expect(e.action).toBe('space.create');
    // Exactly the log's 24 events from the first one printed: none skipped, none twice, in commit order.
    const log = await env.api('GET', `/v1/audit?after=${followed[0]!.seq - 1}&limit=24`, { token: env.adminToken });
    expect(followed.map((e) => e.id)).toEqual(log.body.map((e: { id: string }) => e.id));
  });
});
