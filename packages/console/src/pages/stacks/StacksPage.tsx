import { useEffect, useState, type FormEvent } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import { Link, navigate } from '../../router.tsx';

type Stack = ApiResponse<'/v1/stacks'>[number];
type Space = ApiResponse<'/v1/spaces'>[number];

const FIELDS = ['slug', 'name', 'spaceId'];

/**
 * The organization's stacks (the platform's workloads that runs belong to), each linking to its page, and a form to
 * create one: slug (part of the scoped external ID, fixed once made), name and space. The API's refusal is shown beside
 * the field it names; a created stack opens its page, where connections are attached.
 */
export default function StacksPage() {
  const [stacks, setStacks] = useState<Stack[] | undefined>(undefined);
  const [spaces, setSpaces] = useState<Space[]>([]);
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [spaceId, setSpaceId] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    unwrap(api.GET('/v1/stacks'))
      .then(setStacks)
      .catch((e) => {
        setStacks([]);
        setError(apiError(e));
      });
    unwrap(api.GET('/v1/spaces'))
      .then(setSpaces)
      .catch(() => setSpaces([]));
  }, []);

  const spaceName = (id: string | null) => spaces.find((s) => s.id === id)?.name ?? id ?? '—';

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const made = await unwrap(
        api.POST('/v1/stacks', {
          body: { slug: slug.trim(), name: name.trim(), ...(spaceId === '' ? {} : { spaceId }) },
        }),
      );
      navigate(`/stacks/${encodeURIComponent(made.id)}`);
    } catch (caught) {
      const failure = apiError(caught);
      setError(failure);
      if (failure.field !== undefined && FIELDS.includes(failure.field))
        document.getElementById(`field-${failure.field}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Stacks</h1>
      <p>
        A stack is one workload of your platform (a Terraform root module, a service). Attach connections to it to let
        its runs get AWS credentials: read for plans, write for applies.
      </p>
      {stacks === undefined ? (
        <p className="loading">Loading…</p>
      ) : stacks.length === 0 ? (
        <p className="empty">No stack yet.</p>
      ) : (
        <table className="stacks">
          <caption>{stacks.length} stacks</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Space</th>
              <th scope="col">Labels</th>
            </tr>
          </thead>
          <tbody>
            {stacks.map((s) => (
              <tr key={s.id} data-stack={s.slug}>
                <th scope="row">
                  <Link to={`/stacks/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                </th>
                <td>
                  <code>{s.slug}</code>
                </td>
                <td>{spaceName(s.spaceId)}</td>
                <td>
                  {Object.entries(s.labels)
                    .map(([k, v]) => `${k}:${v}`)
                    .join(', ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section aria-labelledby="new-stack-heading">
        <h2 id="new-stack-heading">Create a stack</h2>
        <form className="stack-form" onSubmit={create} noValidate>
          <Field
            name="slug"
            label="Slug"
            hint='a-z, 0-9 and "-"; part of the external ID runs pass (<connection ID>@<slug>@<phase>), so it cannot change later'
            error={error}
          >
            {(control) => (
              <input {...control} value={slug} autoComplete="off" onChange={(e) => setSlug(e.target.value)} />
            )}
          </Field>
          <Field name="name" label="Name" error={error}>
            {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field name="spaceId" label="Space" error={error}>
            {(control) => (
              <select {...control} value={spaceId} onChange={(e) => setSpaceId(e.target.value)}>
                <option value="">No space</option>
                {spaces.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <FormError error={error} fields={FIELDS} />
          <button type="submit" disabled={busy}>
            Create stack
          </button>
        </form>
      </section>
    </>
  );
}
