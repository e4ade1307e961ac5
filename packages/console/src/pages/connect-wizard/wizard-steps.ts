import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { ApiError } from '../../api.ts';
import type { FieldErrors, WizardState } from './wizard-state.ts';
import { leavePermissions, ownsPermissionsField } from './steps/permissions-step-rules.ts';
import { ownsDetailsField, validateDetails } from './steps/details-step-rules.ts';
import { validateConnect } from './steps/connect/connect-step-rules.ts';

/**
 * The connect wizard's steps, in order: the progress indicator lists them, the container shows one at a time.
 *
 * A step is a component that edits the shared {@link WizardState} through `update`, shows `errorFor(field)` next to
 * each field (the step's own checks first, then the API's `error.field`), and rules the container runs:
 * `validate` when Next is pressed (errors keep the user on the step), then `leave` (the API calls the step commits
 * to, e.g. step 2 creates the connection; it returns a patch of the state, or throws the API's error). An API error
 * whose field a step `owns` sends the user back to that step with the message next to the field.
 *
 * Step 3 shows the deliverables, step 4 verifies the role (only a connected connection goes on), step 5 grants access.
 */
export interface StepProps {
  state: WizardState;
  update(patch: Partial<WizardState> | ((state: WizardState) => Partial<WizardState>)): void;
  /** The error to show next to `field`, if any (the step's checks, or the API's answer naming it). */
  errorFor(field: string): ApiError | undefined;
  /** The API's last error (show it with <FormError> when no field of the step names it). */
  apiError: ApiError | undefined;
}

export interface WizardStep {
  id: string;
  /** The progress indicator's label and the step's heading. */
  title: string;
  component: LazyExoticComponent<ComponentType<StepProps>> | ComponentType<StepProps>;
  validate?(state: WizardState): FieldErrors;
  leave?(state: WizardState): Promise<Partial<WizardState>>;
  /** True for an API field this step shows (`name`, `scope.accountIds[2]`). */
  owns?(field: string): boolean;
  /** The Next button's label; default "Next". */
  nextLabel?: string;
}

export const WIZARD_STEPS: WizardStep[] = [
  {
    id: 'details',
    title: 'Connection details',
    component: lazy(() => import('./steps/DetailsStep.tsx')),
    validate: validateDetails,
    owns: ownsDetailsField,
  },
  {
    id: 'permissions',
    title: 'Permissions',
    component: lazy(() => import('./steps/PermissionsStep.tsx')),
    leave: leavePermissions,
    owns: ownsPermissionsField,
    nextLabel: 'Create connection',
  },
  {
    id: 'deliverables',
    title: 'Create the role in AWS',
    component: lazy(() => import('./steps/DeliverablesStep.tsx')),
  },
  {
    id: 'connect',
    title: 'Connect',
    component: lazy(() => import('./steps/ConnectStep.tsx')),
    validate: validateConnect,
    owns: (field) => field === 'roleArn',
  },
  { id: 'access', title: 'Access', component: lazy(() => import('./steps/AccessStep.tsx')), nextLabel: 'Done' },
];
