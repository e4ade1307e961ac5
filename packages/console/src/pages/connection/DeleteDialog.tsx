import { useRef, useState, type FormEvent } from 'react';
import { api, apiError, unwrap, type ApiError } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import type { Connection } from './connection-types.ts';

/**
 * Delete the connection, confirmed in a modal dialog by typing its name (the delete button stays disabled until it
 * matches). The native <dialog> keeps the focus inside while open and closes on Escape; closing without deleting
 * gives the focus back to the button that opened it. `onDeleted` runs once the API has deleted it.
 */
export function DeleteDialog(props: { connection: Connection; onDeleted: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const name = props.connection.name;

  // The dialog is opened and closed on the element itself, not through state: a close (Escape) is reported by an
  // event that comes a task later, and a re-opening in between must not be undone by it.
  const show = () => {
    setTyped('');
    setError(undefined);
    dialog.current?.showModal();
  };
  const closed = () => {
    if (dialog.current?.open === true) return;
    setTyped('');
    setError(undefined);
    opener.current?.focus();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (typed !== name) return;
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.DELETE('/v1/connections/{id}', { params: { path: { id: props.connection.id } } }));
      dialog.current?.close();
      props.onDeleted();
    } catch (caught) {
      setError(apiError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="delete-heading" className="danger-zone">
      <h2 id="delete-heading">Delete</h2>
      <p>
        Deleting the connection stops every credential issuance for it. The role stays in the customer's account until
        they delete its stack.
      </p>
      <button type="button" className="button-danger" ref={opener} onClick={show}>
        Delete connection…
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="delete-dialog-heading"
        aria-describedby="delete-dialog-text"
        className="delete-dialog"
        onClose={closed}
      >
        <form onSubmit={(e) => void submit(e)}>
          <h2 id="delete-dialog-heading">Delete {name}?</h2>
          <p id="delete-dialog-text">
            This cannot be undone. Type the connection's name, <strong>{name}</strong>, to confirm.
          </p>
          <Field name="confirmName" label="Connection name" error={error}>
            {(control) => (
              <input {...control} value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
            )}
          </Field>
          <FormError error={error} fields={['confirmName']} />
          <div className="dialog-buttons">
            <button type="button" className="button-secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="button-danger" disabled={typed !== name || busy}>
              {busy ? 'Deleting…' : 'Delete connection'}
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}
