import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Partition, PolicyDocument } from '@trustgate/core';
import { partitionInfo } from '@trustgate/core';
import { accessKeyId, accountIdNumber, randomUpper, secretAccessKey } from './ids.ts';
import type { AccountState, SandboxState } from './model.ts';

/** Options for {@link StateStore.open}. */
export interface StateStoreOptions {
  accounts: number;
  partition: Partition;
  organization: boolean;
  /** With `organization`: the first N accounts are its members (the first is its management account); default all. */
  organizationMembers?: number;
  /** Sizes of further organizations formed from the next accounts, in order (each one's first account manages it). */
  otherOrganizations?: number[];
  /** SCPs attached at the organization root (with FullAWSAccess); they govern every member account. */
  serviceControlPolicies?: PolicyDocument[];
  /** JSON file to load from (if it exists) and save to after every change. */
  persistFile?: string;
}

const INTERRUPTED: Record<string, string> = {
  CREATE_IN_PROGRESS: 'CREATE_FAILED',
  ROLLBACK_IN_PROGRESS: 'ROLLBACK_FAILED',
  DELETE_IN_PROGRESS: 'DELETE_FAILED',
  UPDATE_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_COMPLETE',
  UPDATE_ROLLBACK_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_ROLLBACK_COMPLETE',
};

/** Stack operations cannot resume after a restart: they end in the failed state of their phase. */
function interruptOperations(state: SandboxState): void {
  for (const account of Object.values(state.accounts)) {
    for (const stack of account.stacks) {
      const next = INTERRUPTED[stack.status];
      if (next) {
        stack.status = next;
        stack.statusReason = 'The sandbox stopped during this operation.';
      }
    }
    for (const set of Object.values(account.stackSets)) {
      for (const op of set.operations) if (op.status === 'RUNNING') op.status = 'STOPPED';
    }
  }
}

/** A new, empty account with fresh root credentials. */
export function newAccount(accountId: string): AccountState {
  return {
    accountId,
    rootAccessKeyId: accessKeyId('AKIA'),
    rootSecretAccessKey: secretAccessKey(),
    roles: {},
    users: {},
    accessKeys: {},
    policies: {},
    instanceProfiles: {},
    oidcProviders: {},
    stacks: [],
    stackSets: {},
  };
}

/**
 * Holds the sandbox state in memory and, when a file is given, persists it as JSON after each change
 * (written to a temporary file and renamed, so a crash never leaves half a file).
 */
export class StateStore {
  readonly state: SandboxState;
  private readonly persistFile?: string;

  private constructor(state: SandboxState, persistFile?: string) {
    this.state = state;
    this.persistFile = persistFile;
  }

  /** Loads the persisted state or creates `accounts` new accounts (the first is the organization's management account). */
  static open(options: StateStoreOptions): StateStore {
    if (options.persistFile && existsSync(options.persistFile)) {
      const loaded = JSON.parse(readFileSync(options.persistFile, 'utf8')) as SandboxState;
      if (loaded.version !== 1)
        throw new Error(`unsupported sandbox state version ${String(loaded.version)} in ${options.persistFile}`);
      interruptOperations(loaded);
      return new StateStore(loaded, options.persistFile);
    }
    const accounts: Record<string, AccountState> = {};
    while (Object.keys(accounts).length < Math.max(1, options.accounts)) {
      const id = accountIdNumber();
      accounts[id] = newAccount(id);
    }
    const ids = Object.keys(accounts);
    const memberCount = options.organization
      ? Math.min(ids.length, Math.max(1, options.organizationMembers ?? ids.length))
      : 0;
    const createdAt = new Date().toISOString();
    const newOrgIds = (): { id: string; rootId: string } => ({
      id: `o-${randomUpper(10).toLowerCase()}`,
      rootId: `r-${randomUpper(4).toLowerCase()}`,
    });
    const otherOrganizations: NonNullable<SandboxState['otherOrganizations']> = [];
    let next = memberCount;
    for (const size of options.otherOrganizations ?? []) {
      const members = ids.slice(next, next + Math.max(1, size));
      if (members.length === 0) throw new Error('otherOrganizations needs more accounts than the sandbox has');
      otherOrganizations.push({
        ...newOrgIds(),
        managementAccountId: members[0]!,
        memberAccountIds: members,
        createdAt,
      });
      next += members.length;
    }
    const state: SandboxState = {
      version: 1,
      partition: options.partition,
      region: partitionInfo(options.partition).defaultRegion,
      accounts,
      sessions: {},
      ...(options.organization
        ? {
            organization: {
              ...newOrgIds(),
              managementAccountId: ids[0]!,
              serviceControlPolicies: options.serviceControlPolicies ?? [],
              createdAt,
              ...(options.organizationMembers === undefined ? {} : { memberAccountIds: ids.slice(0, memberCount) }),
            },
          }
        : {}),
      ...(otherOrganizations.length > 0 ? { otherOrganizations } : {}),
    };
    const store = new StateStore(state, options.persistFile);
    store.save();
    return store;
  }

  /** The account, or undefined. */
  account(accountId: string): AccountState | undefined {
    return this.state.accounts[accountId];
  }

  /** Writes the state to the persistence file, if any. */
  save(): void {
    if (!this.persistFile) return;
    const tmp = `${this.persistFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.persistFile);
  }
}
