import { TrustgateError, type Selection } from '@trustgate/core';

/** The catalog-selection options shared by `policy` and `template`. */
export interface SelectionOptions {
  default?: boolean;
  products?: string[];
  integrations?: string[];
}

/**
 * The selection from `--default`, `--products` and `--integrations`: the default integrations unless products or
 * integrations are named; `--default` with either is refused naming the field.
 */
export function selectionOf(opts: SelectionOptions): Selection {
  const custom = (opts.products?.length ?? 0) > 0 || (opts.integrations?.length ?? 0) > 0;
  if (opts.default && custom) {
    throw new TrustgateError('INVALID_INPUT', '--default cannot be combined with --products or --integrations', { field: 'selection' });
  }
  if (!custom) return { mode: 'default' };
  return { mode: 'custom', ...(opts.products ? { products: opts.products } : {}), ...(opts.integrations ? { integrations: opts.integrations } : {}) };
}
