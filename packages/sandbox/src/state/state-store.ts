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
  /** SCPs attached at the organization root (with FullAWSAccess); they govern every member account. */
  serviceControlPolicies?: PolicyDocument[];
  /** JSON file to load from (if it exists) and save to after every change. */
  persistFile?: string;
}

/** A new, empty account with fresh root credentials. */
export function newAccount(accountId: string): AccountState {
  return {
    accountId,
    rootAccessKeyId: accessKeyId('AKIA'),
    rootSecretAccessKey: secretAccessKey(),
    roles: {}, users: {}, accessKeys: {}, policies: {}, instanceProfiles: {}, oidcProviders: {}, stacks: [], stackSets: {},
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
      if (loaded.version !== 1) throw new Error(`unsupported sandbox state version ${String(loaded.version)} in ${options.persistFile}`);
      return new StateStore(loaded, options.persistFile);
    }
    const accounts: Record<string, AccountState> = {};
    while (Object.keys(accounts).length < Math.max(1, options.accounts)) {
      const id = accountIdNumber();
      accounts[id] = newAccount(id);
    }
    const ids = Object.keys(accounts);
    const state: SandboxState = {
      version: 1,
      partition: options.partition,
      region: partitionInfo(options.partition).defaultRegion,
      accounts,
      sessions: {},
      ...(options.organization ? { organization: { id: `o-${randomUpper(10).toLowerCase()}`, managementAccountId: ids[0]!, rootId: `r-${randomUpper(4).toLowerCase()}`, serviceControlPolicies: options.serviceControlPolicies ?? [] } } : {}),
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
