import type { ApiError } from '../../../api.ts';
import { accountField, organizationalUnitsOf, type FieldErrors, type WizardState } from '../wizard-state.ts';

/** Step 1's rules: its checks before the API is asked, and the API fields it shows. */

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** An organizational unit (`ou-ab12-cdef3456`) or the organization's root (`r-ab12`), as StackSets take them. */
const ORGANIZATIONAL_UNIT = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const LABEL_KEY = /^[A-Za-z0-9_.\-/]{1,63}$/;

const invalid = (field: string, message: string): [string, ApiError] => [
  field,
  { code: 'INVALID_INPUT', field, message },
];

/** Step 1's checks, made before the API is asked (it checks the same and more, and its errors show the same way). */
export function validateDetails(state: WizardState): FieldErrors {
  const errors: [string, ApiError][] = [];
  if (state.name.trim() === '') errors.push(invalid('name', 'Name the connection.'));
  if (!ROLE_NAME.test(state.roleName))
    errors.push(invalid('roleName', 'A role name is 1-64 letters, digits and + = , . @ _ -.'));
  if (state.scopeKind === 'organization') {
    if (!ORGANIZATION_ID.test(state.organizationId.trim()))
      errors.push(invalid('scope.organizationId', 'An AWS Organization ID looks like o-abcd123456.'));
    const bad = organizationalUnitsOf(state).find((u) => !ORGANIZATIONAL_UNIT.test(u));
    if (bad !== undefined)
      errors.push(
        invalid(
          'scope.organizationalUnitIds',
          `${bad} is not an organizational unit ID (ou-ab12-cdef3456) or root ID (r-ab12).`,
        ),
      );
  } else {
    const accounts = state.scopeKind === 'account' ? state.accountIds.slice(0, 1) : state.accountIds;
    accounts.forEach((id, n) => {
      if (!ACCOUNT_ID.test(id.trim())) errors.push(invalid(accountField(state, n), 'An AWS account ID is 12 digits.'));
      else if (accounts.findIndex((other) => other.trim() === id.trim()) !== n)
        errors.push(invalid(accountField(state, n), 'This account is listed already.'));
    });
  }
  if (state.region.trim() !== '' && !REGION.test(state.region.trim()))
    errors.push(invalid('region', 'A region looks like us-east-1 (or leave it empty).'));
  state.labels.forEach((label, n) => {
    if (label.key === '' && label.value === '') return;
    if (!LABEL_KEY.test(label.key))
      errors.push(invalid(`labelKey[${n}]`, 'A label key is 1-63 letters, digits and _ . - /.'));
    else if (state.labels.findIndex((l) => l.key === label.key) !== n)
      errors.push(invalid(`labelKey[${n}]`, 'This key is used already.'));
  });
  return Object.fromEntries(errors);
}

/** The API fields step 1 shows: an error naming one brings the user back to it. */
export function ownsDetailsField(field: string): boolean {
  return /^(name|roleName|scope(\..*)?|partition|region|spaceId|labels(\..*)?|mode|trust(\..*)?)$/.test(field);
}
