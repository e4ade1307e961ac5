import type { ReactNode } from 'react';
import type { ApiError } from '../api.ts';

/** What a control inside a {@link Field} spreads onto itself: its id, name and the ARIA links to the error. */
export interface FieldControlProps {
  id: string;
  name: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

/**
 * A labelled form control with the API's error for it: when `error.field` is `name` (`scope.accountId`,
 * `labels.env`), the message is shown under the control, linked with aria-describedby, and the control is marked
 * invalid. Errors naming no field of the form go to <FormError>.
 *
 *     <Field name="roleName" label="Role name" error={error}>{(p) => <input {...p} value={v} onChange={…} />}</Field>
 */
export function Field(props: {
  name: string;
  label: string;
  error?: ApiError | undefined;
  hint?: string;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const id = `field-${props.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const message = props.error?.field === props.name ? props.error.message : undefined;
  const described = [props.hint === undefined ? '' : `${id}-hint`, message === undefined ? '' : `${id}-error`]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${message === undefined ? '' : ' field-invalid'}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.hint === undefined ? null : (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children({
        id,
        name: props.name,
        'aria-invalid': message !== undefined,
        ...(described === '' ? {} : { 'aria-describedby': described }),
      })}
      {message === undefined ? null : (
        <p className="field-error" id={`${id}-error`}>
          {message}
        </p>
      )}
    </div>
  );
}

/**
 * The error of a form that no {@link Field} shows: no `field`, or one not in `fields`. An alert, so it is read out.
 */
export function FormError({ error, fields = [] }: { error?: ApiError | undefined; fields?: string[] }) {
  if (error === undefined || (error.field !== undefined && fields.includes(error.field))) return null;
  return (
    <p className="form-error" role="alert">
      {error.message}
    </p>
  );
}
