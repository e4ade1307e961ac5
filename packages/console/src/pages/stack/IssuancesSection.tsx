import { useCallback, useEffect, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import { IssuanceChart } from '../../components/IssuanceChart.tsx';
import { useSearchParam } from '../../router.tsx';

type Issuances = ApiResponse<'/v1/stacks/{id}/issuances'>;

/** How often the section asks again while the page is shown (the API answers from the audit log: cheap). */
export const ISSUANCES_POLL_MS = 3000;

/** The windows offered (hours up to now), the first the default; `?hours=` in the URL keeps the choice. */
const WINDOWS = [
  { hours: '24', label: 'Last 24 hours' },
  { hours: '6', label: 'Last 6 hours' },
  { hours: '168', label: 'Last 7 days' },
];

const SOURCE_WORDS: Record<string, string> = {
  sts: 'New session (STS)',
  cache: 'Cache hit',
  'stale-cache': 'Cache hit (stale, STS unavailable)',
};

/**
 * The stack's recent credential issuances (`GET /v1/stacks/:id/issuances`, from the audit log) with a chart of
 * issuances and cache hits over the last 24 hours; asked again every few seconds while the tab is visible, and on
 * "Refresh". No credential is ever shown: the audit log holds none.
 */
export function IssuancesSection({ stackId, names }: { stackId: string; names: Record<string, string> }) {
  const [data, setData] = useState<Issuances | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [hoursParam, setHours] = useSearchParam('hours');
  const chosen = WINDOWS.find((w) => w.hours === hoursParam) ?? WINDOWS[0]!;

  const load = useCallback(() => {
    unwrap(
      api.GET('/v1/stacks/{id}/issuances', {
        params: { path: { id: stackId }, query: { hours: Number(chosen.hours) } },
      }),
    )
      .then((answer) => {
        setData(answer);
        setError(undefined);
      })
      .catch((e) => setError(apiError(e)));
  }, [stackId, chosen.hours]);
  useEffect(() => {
    load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') load();
    }, ISSUANCES_POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <section aria-labelledby="issuances-heading" className="issuances">
      <h2 id="issuances-heading">Recent credential issuances</h2>
      <div className="issuances-controls">
        <Field name="hours" label="Window" error={error}>
          {(control) => (
            <select
              {...control}
              value={chosen.hours}
              onChange={(e) => setHours(e.target.value === '24' ? '' : e.target.value)}
            >
              {WINDOWS.map((w) => (
                <option key={w.hours} value={w.hours}>
                  {w.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="secondary" onClick={load}>
          Refresh
        </button>
      </div>
      <FormError error={error} fields={['hours']} />
      {data === undefined ? (
        <p className="loading">Loading…</p>
      ) : (
        <>
          <IssuanceChart buckets={data.series.buckets} bucketSeconds={data.series.bucketSeconds} />
          {data.truncated ? <p className="hint">Only the newest issuances of the window are counted.</p> : null}
          {data.issuances.length === 0 ? (
            <p className="empty">No credentials issued to this stack in this window.</p>
          ) : (
            <table className="issuances-table">
              <caption>The newest {data.issuances.length} issuances</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Run</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Connection</th>
                  <th scope="col">Account and region</th>
                  <th scope="col">Session</th>
                  <th scope="col">Served</th>
                </tr>
              </thead>
              <tbody>
                {data.issuances.map((i) => (
                  <tr key={i.id} data-run={i.runId} data-source={i.source ?? 'worker'}>
                    <th scope="row">
                      <time dateTime={i.at}>{new Date(i.at).toLocaleString()}</time>
                    </th>
                    <td>
                      <code>{i.runId}</code>
                    </td>
                    <td>{i.phase}</td>
                    <td>{i.connectionId === null ? '—' : (names[i.connectionId] ?? i.connectionId)}</td>
                    <td>
                      {i.accountId} {i.region}
                    </td>
                    <td>
                      <code>{i.sessionName}</code> ({i.sessionMode}, {i.durationSeconds} s)
                    </td>
                    <td className="source">
                      {i.source === null ? 'Assumed on the worker' : (SOURCE_WORDS[i.source] ?? i.source)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
