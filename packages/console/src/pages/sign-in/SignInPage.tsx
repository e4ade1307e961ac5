import { useState, type FormEvent } from 'react';
import { apiError, type ApiError } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import { useSession } from '../../session.tsx';

/** Sign in with an API token (`trustgate serve` prints one); the service keeps it in an HttpOnly cookie. */
export default function SignInPage() {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token.trim());
    } catch (e) {
      setError(apiError(e));
      setBusy(false);
    }
  };
  return (
    <div className="sign-in">
      <h1>Sign in to trustgate</h1>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          name="token"
          label="API token"
          hint="The token trustgate serve printed (export TRUSTGATE_TOKEN=…), or one from trustgate tokens create."
          error={error}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          )}
        </Field>
        <FormError error={error} fields={['token']} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
