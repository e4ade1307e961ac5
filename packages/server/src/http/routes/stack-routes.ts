import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';

/** Stack routes of the credential broker (issue 12); filled in as the broker lands. */
export function registerStackRoutes(_route: AddRoute, _ctx: AppContext): void {}
