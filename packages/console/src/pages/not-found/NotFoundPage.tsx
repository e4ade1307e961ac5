import { Link } from '../../router.tsx';
import { HOME } from '../../routes.tsx';

/** Any path no route in routes.tsx matches. */
export default function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to={HOME}>Go to the connections</Link>.
      </p>
    </>
  );
}
