import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../../src/store/open-database.ts';
import { dumpDifference, startAttackedService, type AttackedService } from './attacked-service.ts';
import { casesFor } from './cases.ts';
import { answerProblem } from './check-answer.ts';
import { NOT_JSON_ROUTES, operationsOf, routeKey, servedRoutes, type Operation } from './operations.ts';
import { sendRaw } from './raw-http.ts';

/**
 * Bad input, generated from the API (issue 16): for every operation of the service's OpenAPI document and every
 * field of its path, query and JSON body, fast-check's bad values (and bad URLs, headers, content types and JSON)
 * over real HTTP, with the credential each route takes. Every answer must be a 4xx in the documented error shape,
 * naming the field when one is wrong, and the store must be as it was (every table compared). A route the router
 * serves is covered with no change here: the coverage test fails on a route no case reached.
 *
 * The seed is TRUSTGATE_PROPERTY_SEED (unset: fixed, so CI is deterministic; `random`: drawn and printed).
 * Figures go to packages/server/test-artifacts/bad-input-<dialect>.json.
 */

const SEED =
  process.env.TRUSTGATE_PROPERTY_SEED === 'random'
    ? Math.floor(Math.random() * 0x1_0000_0000) | 0
    : Number(process.env.TRUSTGATE_PROPERTY_SEED ?? 20261207);
/** Bad values drawn per field (before those the schema accepts are dropped). */
const RUNS_PER_FIELD = Number(process.env.TRUSTGATE_ATTACK_RUNS ?? 6);
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '../../../test-artifacts');

interface Failure {
  operation: string;
  kind: string;
  value?: string;
  problem: string;
}

/** The suite on one dialect: one service, every operation attacked (a test file per dialect, run side by side). */
export function describeBadInput(dialect: DialectName): void {
  describe(`bad input generated from the API on ${dialect}`, () => {
    let svc: AttackedService;
    let operations: Operation[];
    let served: string[];
    const covered = new Set<string>();
    beforeAll(async () => {
      svc = await startAttackedService(dialect);
      const document = await sendRaw(svc.url, { method: 'GET', target: '/openapi.json', headers: {} });
      operations = operationsOf(JSON.parse(document.text) as Record<string, unknown>);
      served = servedRoutes(svc.service.app.printRoutes({ commonPrefix: false }));
    }, 60_000);
    afterAll(async () => svc?.close());

    it('refuses every generated bad request with a 4xx naming the field, and the store is unchanged', async () => {
      const failures: Failure[] = [];
      let tried = 0;
      const fieldKinds: string[] = [];
      const taken = { answeredOrFailedUpstream: 0, refused: 0 };
      let sendMs = 0;
      let dumpMs = 0;
      const perOperation: Record<string, number> = {};
      let before = await svc.dump();
      for (const op of operations) {
        const cases = casesFor(op, {
          seed: SEED,
          runsPerField: RUNS_PER_FIELD,
          adminToken: svc.adminToken,
          realParam: (name) => svc.realParam(op.route, name),
        });
        for (const c of cases) {
          tried++;
          fieldKinds.push(`${c.operation} ${c.kind.replace(': taken by the schema', ': bad value')}`);
          perOperation[c.operation] = (perOperation[c.operation] ?? 0) + 1;
          covered.add(routeKey(op.method, op.route));
          const started = performance.now();
          const answer = await sendRaw(svc.url, c.request);
          const sent = performance.now();
          const after = await svc.dump();
          sendMs += sent - started;
          dumpMs += performance.now() - sent;
          // A value the schema took may be stored (a success, or a 5xx such as AWS unreachable): the dump starts anew.
          const stored = c.taken === true && (answer.status < 400 || answer.status >= 500);
          if (c.taken === true) taken[stored ? 'answeredOrFailedUpstream' : 'refused']++;
          const problem = answerProblem(c, answer) ?? (stored ? undefined : dumpDifference(before, after));
          if (problem !== undefined)
            failures.push({
              operation: c.operation,
              kind: c.kind,
              ...(c.value === undefined ? {} : { value: c.value }),
              problem: problem.slice(0, 400),
            });
          before = after;
        }
      }
      const perField: Record<string, number> = {};
      for (const f of fieldKinds) perField[f] = (perField[f] ?? 0) + 1;
      const figures = {
        suite: 'bad-input',
        dialect,
        seed: SEED,
        runsPerField: RUNS_PER_FIELD,
        operations: operations.length,
        casesTried: tried,
        refusedCorrectly: tried - failures.length - taken.answeredOrFailedUpstream,
        failures: failures.length,
        mostCasesForOneField: Math.max(...Object.values(perField)),
        takenBySchema: taken,
        sendMs: Math.round(sendMs),
        dumpMs: Math.round(dumpMs),
        perOperation,
        failureList: failures,
      };
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `bad-input-${dialect}.json`), `${JSON.stringify(figures, null, 2)}\n`);
      console.log(
        `bad input on ${dialect}: ${tried} cases over ${operations.length} operations (at most ${figures.mostCasesForOneField} per field, ${RUNS_PER_FIELD} drawn), ${figures.refusedCorrectly} refused correctly, ${taken.answeredOrFailedUpstream} values the schema takes answered, ${failures.length} failures (seed ${SEED}; repeat with TRUSTGATE_PROPERTY_SEED=${SEED})`,
      );
      expect(
        failures.map((f) => `${f.operation} | ${f.kind} | ${f.value ?? ''} | ${f.problem}`),
        `repeat with TRUSTGATE_PROPERTY_SEED=${SEED}`,
      ).toEqual([]);
    }, 180_000);

    it('covers every route the service serves: each is an operation of the OpenAPI document and was attacked', () => {
      const documented = new Set(operations.map((op) => routeKey(op.method, op.route)));
      const undocumented = served.filter((r) => !documented.has(r) && NOT_JSON_ROUTES[r] === undefined);
      const notServed = [...documented].filter((r) => !served.includes(r));
      const notAttacked = [...documented].filter((r) => !covered.has(r));
      expect(undocumented, 'served but not in /openapi.json').toEqual([]);
      expect(notServed, 'in /openapi.json but not served').toEqual([]);
      expect(notAttacked, 'operations no case reached').toEqual([]);
      expect(covered.size).toBe(served.length - served.filter((r) => NOT_JSON_ROUTES[r] !== undefined).length);
    });

    it('reaches the router over real HTTP (a sanity check of the raw client)', async () => {
      const answer = await sendRaw(svc.url, { method: 'GET', target: '/healthz', headers: {} });
      expect(answer.status).toBe(200);
    });
  });
}
