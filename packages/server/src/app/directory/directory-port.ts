import type { Repositories } from '../../store/store.ts';

/** The store port the organization use cases need. */
export type DirectoryPort = Pick<Repositories, 'directory' | 'tokens' | 'audit' | 'stacks'>;
