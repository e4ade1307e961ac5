import { useSession } from '../../session.tsx';

/** Who the console is signed in as, and with which token. */
export default function SettingsPage() {
  const { session, signOut } = useSession();
  if (session == null) return null;
  return (
    <>
      <h1>Settings</h1>
      <h2>Signed in</h2>
      <dl className="facts">
        <dt>User</dt>
        <dd>
          {session.user.name} ({session.user.email}), {session.user.role}
        </dd>
        <dt>Organization</dt>
        <dd>{session.organizationId}</dd>
        <dt>Token</dt>
        <dd>
          {session.tokenName}: {session.scopes.join(', ')}
        </dd>
      </dl>
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </>
  );
}
