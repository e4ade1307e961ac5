import { Suspense, useEffect, useRef } from 'react';
import { Link, matchPath, Redirect, useLocation } from './router.tsx';
import { HOME, routes } from './routes.tsx';
import { useSession } from './session.tsx';
import SignInPage from './pages/sign-in/SignInPage.tsx';
import NotFoundPage from './pages/not-found/NotFoundPage.tsx';

/**
 * The shell: a skip link, the header with the main navigation (aria-current on the page's link), and <main>,
 * which takes the focus after each navigation so a keyboard or screen-reader user starts at the new page.
 */
export function App() {
  const { session, signOut } = useSession();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(pathname);
  const matched = routes
    .map((route) => ({ route, params: matchPath(route.path, pathname) }))
    .find((m) => m.params !== null);

  useEffect(() => {
    // While the session is being asked for, the page is neither signed in nor unknown: no "Not found" flash.
    const title =
      session === undefined ? 'Loading' : session === null ? 'Sign in' : (matched?.route.title ?? 'Not found');
    document.title = `${title} · trustgate`;
  }, [matched?.route.title, session]);
  // After a navigation in the page (not the first load), the focus goes to the new page's content.
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    main.current?.focus();
  }, [pathname]);

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null)
    return (
      <main id="main" ref={main} tabIndex={-1}>
        <SignInPage />
      </main>
    );
  if (pathname === '/') return <Redirect to={HOME} />;
  const Page = matched?.route.page;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <Link to={HOME} className="brand">
          trustgate
        </Link>
        <nav aria-label="Main">
          <ul>
            {routes
              .filter((route) => route.nav)
              .map((route) => (
                <li key={route.path}>
                  <Link
                    to={route.path}
                    aria-current={pathname === route.path || pathname.startsWith(`${route.path}/`) ? 'page' : undefined}
                  >
                    {route.title}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          <span>{session.user.email}</span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {Page === undefined || matched?.params == null ? <NotFoundPage /> : <Page params={matched.params} />}
        </Suspense>
      </main>
    </>
  );
}
