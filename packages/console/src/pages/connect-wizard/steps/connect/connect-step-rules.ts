import type { FieldErrors, WizardState } from '../../wizard-state.ts';

/** Step 4's Next: only a connected connection goes on (the error sits beside the role ARN field). */
export function validateConnect(state: WizardState): FieldErrors {
  const connection = state.created?.connection;
  if (connection === undefined || connection.status === 'connected') return {};
  const message =
    connection.mode === 'automatic'
      ? 'The connection is not connected yet: create the stack (step 3) and wait for it, or paste its RoleArn output and connect.'
      : 'The connection is not connected yet: paste the role ARN and connect.';
  return { roleArn: { code: 'INVALID_INPUT', field: 'roleArn', message } };
}
