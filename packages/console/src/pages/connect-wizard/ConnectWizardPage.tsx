import { Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { apiError, type ApiError } from '../../api.ts';
import { FormError } from '../../components/Field.tsx';
import { Link } from '../../router.tsx';
import { WIZARD_STEPS, type StepProps } from './wizard-steps.ts';
import { initialWizardState, normalizeField, type FieldErrors, type WizardState } from './wizard-state.ts';
import './connect-wizard.css';

/**
 * Connect an AWS account: the wizard, one step at a time (see wizard-steps.ts for the steps and their interface),
 * with a progress indicator. Next checks the step (its errors next to the fields, the first invalid field
 * focused), runs what the step commits to, and moves on; an API error whose field belongs to an earlier step goes
 * back to it. Each step's heading takes the focus, so keyboard and screen-reader users start at the new step.
 */
export default function ConnectWizardPage() {
  const [state, setState] = useState<WizardState>(initialWizardState);
  const [index, setIndex] = useState(0);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const moved = useRef(false);
  /** After an API error sent the user back: focus its field rather than the heading. */
  const toInvalid = useRef(false);
  const step = WIZARD_STEPS[index];
  const finished = index >= WIZARD_STEPS.length;

  useEffect(() => {
    if (!moved.current) return;
    const invalid = toInvalid.current ? form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') : undefined;
    toInvalid.current = false;
    (invalid ?? heading.current)?.focus();
  }, [index]);

  // Whether the step shows the API's error beside a field; if it does not (a field no control of the step names), the
  // error is shown above the buttons instead, so no refusal goes unseen.
  const [beside, setBeside] = useState(false);
  useLayoutEffect(() => {
    const shown = [...(form.current?.querySelectorAll('.field-error') ?? [])].some(
      (e) => failure !== undefined && e.textContent?.includes(failure.message) === true,
    );
    setBeside(shown);
  }, [failure, index, state]);

  const update = useCallback<StepProps['update']>((patch) => {
    setState((s) => ({ ...s, ...(typeof patch === 'function' ? patch(s) : patch) }));
  }, []);

  const errorFor = (field: string): ApiError | undefined =>
    errors[field] ?? (failure?.field !== undefined && normalizeField(failure.field) === field ? failure : undefined);

  const focusFirstInvalid = (): void => {
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  const go = (to: number): void => {
    moved.current = true;
    setIndex(to);
  };

  const next = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (step === undefined || busy) return;
    const found = step.validate?.(state) ?? {};
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid();
      return;
    }
    if (step.leave !== undefined) {
      setBusy(true);
      try {
        const patch = await step.leave(state);
        setState((s) => ({ ...s, ...patch }));
      } catch (thrown) {
        const error = apiError(thrown);
        const field = error.field === undefined ? undefined : normalizeField(error.field);
        setFailure(error.field === undefined ? error : { ...error, field: field as string });
        const owner = field === undefined ? -1 : WIZARD_STEPS.findIndex((s) => s.owns?.(field) === true);
        if (owner !== -1 && owner !== index) {
          toInvalid.current = true;
          go(owner);
        } else focusFirstInvalid();
        return;
      } finally {
        setBusy(false);
      }
    }
    go(index + 1);
  };

  const back = (): void => {
    setErrors({});
    setFailure(undefined);
    go(index - 1);
  };

  const Step = step?.component;
  return (
    <div className="connect-wizard">
      <h1>Connect an AWS account</h1>
      <nav aria-label="Wizard progress">
        <ol className="wizard-progress">
          {WIZARD_STEPS.map((s, n) => {
            const status = n < index ? 'done' : n === index ? 'current' : 'upcoming';
            return (
              <li key={s.id} className={`wizard-progress-${status}`} aria-current={n === index ? 'step' : undefined}>
                <span className="wizard-progress-number" aria-hidden="true">
                  {n < index ? '✓' : n + 1}
                </span>
                <span>
                  <span className="visually-hidden">
                    {`Step ${n + 1} of ${WIZARD_STEPS.length}, ${status === 'done' ? 'completed' : status === 'current' ? 'current' : 'not started'}: `}
                  </span>
                  {s.title}
                </span>
              </li>
            );
          })}
        </ol>
      </nav>
      {finished || Step === undefined ? (
        <section className="wizard-step" aria-labelledby="wizard-step-heading">
          <h2 id="wizard-step-heading" ref={heading} tabIndex={-1}>
            Connection created
          </h2>
          {state.created === undefined ? null : (
            <p>
              <Link to={`/connections/${state.created.connection.id}`}>{state.created.connection.name}</Link> is{' '}
              {state.created.connection.status}: {state.created.connection.statusReason}
            </p>
          )}
          <div className="wizard-actions">
            <button type="button" className="secondary" onClick={back}>
              Back
            </button>
          </div>
        </section>
      ) : (
        <form ref={form} className="wizard-step" aria-labelledby="wizard-step-heading" noValidate onSubmit={next}>
          <h2 id="wizard-step-heading" ref={heading} tabIndex={-1}>
            {`Step ${index + 1}: ${step?.title ?? ''}`}
          </h2>
          <Suspense fallback={<p className="loading">Loading…</p>}>
            <Step state={state} update={update} errorFor={errorFor} apiError={failure} />
          </Suspense>
          <FormError error={failure} fields={beside && failure?.field !== undefined ? [failure.field] : []} />
          <div className="wizard-actions">
            {index > 0 ? (
              <button type="button" className="secondary" onClick={back} disabled={busy}>
                Back
              </button>
            ) : null}
            <button type="submit" disabled={busy} aria-describedby={busy ? 'wizard-busy' : undefined}>
              {step?.nextLabel ?? 'Next'}
            </button>
            {busy ? (
              <span id="wizard-busy" role="status">
                Working…
              </span>
            ) : null}
          </div>
        </form>
      )}
    </div>
  );
}
