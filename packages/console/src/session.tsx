import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, unwrap, type ApiResponse } from './api.ts';

/** Who the console is signed in as (`GET /v1/console/session`). */
export type Session = ApiResponse<'/v1/console/session'>;

interface SessionState {
  /** undefined while the first check runs; null when signed out. */
  session: Session | null | undefined;
  /** Checks the token and stores it in the HttpOnly cookie; throws the API's error (field `token`). */
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

/**
 * The sign-in state. The token itself never reaches script-readable storage: the service keeps it in an HttpOnly,
 * SameSite=Strict cookie, and the console only asks who it is signed in as.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    unwrap(api.GET('/v1/console/session'))
      .then((s) => setSession(s))
      .catch(() => setSession(null));
  }, []);
  const signIn = useCallback(async (token: string) => {
    setSession(await unwrap(api.POST('/v1/console/session', { body: { token } })));
  }, []);
  const signOut = useCallback(async () => {
    await unwrap(api.DELETE('/v1/console/session'));
    setSession(null);
  }, []);
  return <SessionContext.Provider value={{ session, signIn, signOut }}>{children}</SessionContext.Provider>;
}

/** The session state; only inside <SessionProvider>. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (state === undefined) throw new Error('useSession outside <SessionProvider>');
  return state;
}
