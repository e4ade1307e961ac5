import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/**
 * The route registry: one line per page. A page is the default export of `src/pages/<page-name>/<Name>Page.tsx`,
 * receives the path's parameters as `params`, and is loaded on demand (its own chunk, not in the first page's
 * budget). `nav` puts it in the main navigation, in this order. The first matching entry wins.
 */
export interface PageProps {
  params: Record<string, string>;
}

export interface RouteEntry {
  /** `/connections/:id`: `:name` segments become `params.name`. */
  path: string;
  /** The document title and, with `nav`, the navigation label. */
  title: string;
  nav?: boolean;
  page: LazyExoticComponent<ComponentType<PageProps>>;
}

export const routes: RouteEntry[] = [
  {
    path: '/connections/new',
    title: 'Connect an AWS account',
    page: lazy(() => import('./pages/connect-wizard/ConnectWizardPage.tsx')),
  },
  {
    path: '/connections/:id',
    title: 'Connection',
    page: lazy(() => import('./pages/connection/ConnectionPage.tsx')),
  },
  {
    path: '/connections',
    title: 'Connections',
    nav: true,
    page: lazy(() => import('./pages/connections/ConnectionsPage.tsx')),
  },
  { path: '/stacks/:id', title: 'Stack', page: lazy(() => import('./pages/stack/StackPage.tsx')) },
  { path: '/stacks', title: 'Stacks', nav: true, page: lazy(() => import('./pages/stacks/StacksPage.tsx')) },
  { path: '/audit', title: 'Audit', nav: true, page: lazy(() => import('./pages/audit/AuditPage.tsx')) },
  { path: '/settings', title: 'Settings', nav: true, page: lazy(() => import('./pages/settings/SettingsPage.tsx')) },
];

/** Where `/` goes. */
export const HOME = '/connections';
