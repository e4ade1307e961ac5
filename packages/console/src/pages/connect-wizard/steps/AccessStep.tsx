import { useCallback, useEffect, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../../api.ts';
import { Field, FormError } from '../../../components/Field.tsx';
import type { StepProps } from '../wizard-steps.ts';
import './deliverables/deliverables.css';

type Grant = ApiResponse<'/v1/connections/{id}/access'>[number];
type User = ApiResponse<'/v1/users'>[number];
type Level = Grant['level'];

/** The access levels, most first, with what each may do (as DoiT's wizard offers them). */
const LEVELS: { level: Level; label: string; about: string }[] = [
  { level: 'owner', label: 'Owner', about: 'everything, including who has access and deleting it' },
  { level: 'editor', label: 'Editor', about: 'change its permissions, verify it, rotate its external ID' },
  { level: 'user', label: 'User', about: 'use it: attach it to stacks and get credentials' },
  { level: 'viewer', label: 'Viewer', about: 'see it and its status' },
];

/**
 * Step 5: who may use the connection. The grants (`/v1/connections/:id/access`), each level changeable and
 * removable, and a user of the organization (`/v1/users`) added with owner, editor, user or viewer access.
 * The API's refusals are shown beside the field they name.
 */
export default function AccessStep({ state }: StepProps) {
  const id = state.created?.connection.id;
  const [grants, setGrants] = useState<Grant[] | undefined>(undefined);
  const [users, setUsers] = useState<User[]>([]);
  const [userId, setUserId] = useState('');
  const [level, setLevel] = useState<Level>('user');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [said, setSaid] = useState('');

  const load = useCallback(async (): Promise<void> => {
    if (id === undefined) return;
    const [access, people] = await Promise.all([
      unwrap(api.GET('/v1/connections/{id}/access', { params: { path: { id } } })),
      unwrap(api.GET('/v1/users')).catch(() => [] as User[]),
    ]);
    setGrants(access);
    setUsers(people);
  }, [id]);
  useEffect(() => {
    load().catch((e: unknown) => setError(apiError(e)));
  }, [load]);

  if (id === undefined) return <p className="form-error">Go back to create the connection first.</p>;
  const who = (uid: string): string => {
    const u = users.find((x) => x.id === uid);
    return u === undefined ? uid : `${u.name} (${u.email})`;
  };
  const candidates = users.filter((u) => !(grants ?? []).some((g) => g.userId === u.id));
  const chosen = userId !== '' && candidates.some((u) => u.id === userId) ? userId : (candidates[0]?.id ?? '');

  const grant = async (uid: string, to: Level, done: string): Promise<void> => {
    setError(undefined);
    try {
      await unwrap(
        api.PUT('/v1/connections/{id}/access/{userId}', { params: { path: { id, userId: uid } }, body: { level: to } }),
      );
      await load();
      setSaid(done);
    } catch (thrown) {
      const e = apiError(thrown);
      setError(e.field === undefined ? { ...e, field: 'userId' } : e);
    }
  };
  const remove = async (uid: string): Promise<void> => {
    setError(undefined);
    try {
      await unwrap(api.DELETE('/v1/connections/{id}/access/{userId}', { params: { path: { id, userId: uid } } }));
      await load();
      setSaid(`Removed ${who(uid)}.`);
    } catch (thrown) {
      setError(apiError(thrown));
    }
  };

  return (
    <div className="access-step">
      <p>Choose who in your organization may use this connection, and how.</p>
      <ul className="hint">
        {LEVELS.map((l) => (
          <li key={l.level}>
            <strong>{l.label}</strong>: {l.about}
          </li>
        ))}
      </ul>
      {grants === undefined ? (
        <p className="loading">Loading…</p>
      ) : (
        <table className="access-table">
          <caption>Who has access</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Access level</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.userId} data-user={g.userId}>
                <th scope="row">{who(g.userId)}</th>
                <td>
                  <select
                    aria-label={`Access level of ${who(g.userId)}`}
                    value={g.level}
                    onChange={(e) =>
                      void grant(g.userId, e.target.value as Level, `${who(g.userId)} is now ${e.target.value}.`)
                    }
                  >
                    {LEVELS.map((l) => (
                      <option key={l.level} value={l.level}>
                        {l.label}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" className="secondary" onClick={() => void remove(g.userId)}>
                    {`Remove ${who(g.userId)}`}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <fieldset className="access-add">
        <legend>Add another user</legend>
        <Field name="userId" label="User" error={error}>
          {(control) => (
            <select
              {...control}
              value={chosen}
              onChange={(e) => setUserId(e.target.value)}
              disabled={candidates.length === 0}
            >
              {candidates.length === 0 ? <option value="">Everyone has access already</option> : null}
              {candidates.map((u) => (
                <option key={u.id} value={u.id}>
                  {`${u.name} (${u.email})`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="level" label="Connection access level" error={error}>
          {(control) => (
            <select {...control} value={level} onChange={(e) => setLevel(e.target.value as Level)}>
              {LEVELS.map((l) => (
                <option key={l.level} value={l.level}>
                  {l.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button
          type="button"
          disabled={chosen === ''}
          onClick={() => void grant(chosen, level, `Added ${who(chosen)} as ${level}.`)}
        >
          Add user
        </button>
      </fieldset>
      <FormError error={error} fields={['userId', 'level']} />
      <p role="status">{said}</p>
    </div>
  );
}
