import { isTrustgateError, TrustgateError } from '@trustgate/core';
import { unwrap, type TrustgateClient } from '@trustgate/client';

/**
 * A stack's ID from what the user typed: its ID, or its slug (what `trustgate creds --stack` takes). An ID is tried
 * first; when no stack has it, the organization's stacks are searched by slug; NOT_FOUND naming the stack otherwise.
 */
export async function resolveStackId(client: TrustgateClient, ref: string): Promise<string> {
  try {
    return (await unwrap(client.GET('/v1/stacks/{id}', { params: { path: { id: ref } } }))).id;
  } catch (error) {
    if (!(isTrustgateError(error) && (error.code === 'NOT_FOUND' || error.code === 'INVALID_INPUT'))) throw error;
  }
  const found = (await unwrap(client.GET('/v1/stacks', {}))).find((s) => s.slug === ref);
  if (found === undefined)
    throw new TrustgateError('NOT_FOUND', `No stack ${JSON.stringify(ref)} (by ID or slug) that you can see.`, {
      field: 'stack',
    });
  return found.id;
}
