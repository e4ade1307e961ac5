import { useEffect, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';

type TrustStatement = ApiResponse<'/v1/stacks/{id}/trust-statement', 'post'>;
type Phase = 'read' | 'write';

const PHASE_WORDS: Record<Phase, string> = { read: 'read (plan)', write: 'write (apply)' };

/** The settings the statement depends on, as the attach form holds them. */
export interface TrustStatementQuery {
  stackId: string;
  stackSlug: string;
  connectionId: string;
  phases: Phase[];
  assumeOnWorker: boolean;
  customExternalId: string;
}

/**
 * The example trust-policy statement for exactly this stack and each allowed phase (as Spacelift's attach dialog shows
 * one), from `POST /v1/stacks/:id/trust-statement` (core's trust-policy code on the service): asked again 200 ms after
 * the settings it depends on last changed, stale answers dropped. Each with a copy button and the API's notes.
 */
export function TrustStatementPanel({ query }: { query: TrustStatementQuery }) {
  const [statements, setStatements] = useState<Partial<Record<Phase, TrustStatement | ApiError>>>({});
  const [copied, setCopied] = useState<Phase | undefined>(undefined);
  const phasesKey = query.phases.join(',');

  useEffect(() => {
    if (query.connectionId === '') {
      setStatements({});
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      const custom =
        query.assumeOnWorker && query.customExternalId.trim() !== '' ? query.customExternalId.trim() : null;
      void Promise.all(
        query.phases.map(async (phase) => {
          try {
            const statement = await unwrap(
              api.POST('/v1/stacks/{id}/trust-statement', {
                params: { path: { id: query.stackId } },
                body: {
                  connectionId: query.connectionId,
                  phase,
                  assumeOnWorker: query.assumeOnWorker,
                  ...(custom === null ? {} : { customExternalId: custom }),
                },
              }),
            );
            return [phase, statement] as const;
          } catch (e) {
            return [phase, apiError(e)] as const;
          }
        }),
      ).then((answers) => {
        if (live) setStatements(Object.fromEntries(answers));
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // phasesKey stands for query.phases (a new array each render).
  }, [query.stackId, query.connectionId, phasesKey, query.assumeOnWorker, query.customExternalId]);

  if (query.connectionId === '')
    return <p className="hint">Choose a connection to see the trust policy statement its role needs.</p>;
  return (
    <section className="trust-statements" aria-labelledby="trust-statements-heading">
      <h3 id="trust-statements-heading">Trust policy statement</h3>
      <p className="hint">
        Add this statement to the role&apos;s trust policy to let runs of <code>{query.stackSlug}</code> assume it in
        the phase it names, and no other run.
      </p>
      {query.phases.length === 0 ? <p className="hint">Allow a phase to see its statement.</p> : null}
      {query.phases.map((phase) => {
        const answer = statements[phase];
        const id = `trust-statement-${phase}`;
        if (answer === undefined)
          return (
            <p key={phase} className="loading">
              Building the {PHASE_WORDS[phase]} statement…
            </p>
          );
        if (!('statement' in answer))
          return (
            <p key={phase} className="form-error" data-phase={phase}>
              {answer.message}
            </p>
          );
        const text = JSON.stringify(answer.statement, null, 2);
        return (
          <div key={phase} className="trust-statement" data-phase={phase}>
            <h4 id={`${id}-heading`}>
              Stack <code>{query.stackSlug}</code>, {PHASE_WORDS[phase]} phase
            </h4>
            {answer.externalId === undefined ? null : (
              <p>
                Runs pass the external ID <code className="external-id">{answer.externalId}</code>
                {answer.scopedToStack ? ' (this stack and phase only).' : '.'}
              </p>
            )}
            {answer.subject === undefined ? null : (
              <p>
                Runs&apos; tokens carry the subject <code className="subject">{answer.subject}</code>.
              </p>
            )}
            <pre tabIndex={0} aria-labelledby={`${id}-heading`} className="statement-json" id={id}>
              <code>{text}</code>
            </pre>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(text).then(() => setCopied(phase));
              }}
            >
              Copy the {phase} statement
            </button>
            <span role="status" className="copied">
              {copied === phase ? 'Copied.' : ''}
            </span>
            {answer.notes.length === 0 ? null : (
              <ul className="notes">
                {answer.notes.map((note) => (
                  <li key={note}>{note}</li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </section>
  );
}
