import { useEffect, useState, type KeyboardEvent } from 'react';
import { api, unwrap } from '../../../../api.ts';
import type { PreviewError } from './use-policy-preview.ts';

/** How long typing pauses before the action list is asked. */
const SEARCH_DEBOUNCE_MS = 120;
const SHOWN = 8;

/**
 * Extra allowed actions: a combobox that completes from AWS's real action list (`GET /v1/actions`, asked only once
 * something is typed, a page of names at a time) with a did-you-mean when nothing starts so, and the list of actions
 * added. An action the preview refused (UNKNOWN_ACTION naming `extraActions[n]`) shows its suggestions, each a
 * button that replaces it.
 */
export function ExtraActions(props: {
  actions: string[];
  onChange(actions: string[]): void;
  error: PreviewError | undefined;
}) {
  // One combobox per page: stable ids (tests and skip links can name them).
  const id = 'extra-action';
  const [text, setText] = useState('');
  const [found, setFound] = useState<{ prefix: string; names: string[]; didYouMean: string[] }>({
    prefix: '',
    names: [],
    didYouMean: [],
  });
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const prefix = text.trim();

  useEffect(() => {
    if (prefix.length < 2) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      unwrap(api.GET('/v1/actions', { params: { query: { prefix, limit: SHOWN } }, signal: controller.signal }))
        .then((page) => {
          setFound({ prefix, names: page.actions.map((a) => a.name), didYouMean: page.didYouMean ?? [] });
          setActive(-1);
        })
        .catch(() => undefined);
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [prefix]);

  const options = found.prefix === prefix && prefix.length >= 2 ? found.names : [];
  const didYouMean = found.prefix === prefix && prefix.length >= 2 ? found.didYouMean : [];
  const expanded = open && options.length > 0;
  const add = (action: string): void => {
    const value = action.trim();
    if (value === '') return;
    if (!props.actions.some((a) => a.toLowerCase() === value.toLowerCase())) props.onChange([...props.actions, value]);
    setText('');
    setOpen(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown' && options.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % options.length);
    } else if (event.key === 'ArrowUp' && options.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((a) => (a <= 0 ? options.length - 1 : a - 1));
    } else if (event.key === 'Enter') {
      // Enter adds the highlighted option or what is typed; it never submits the step.
      event.preventDefault();
      add(expanded && active >= 0 ? (options[active] as string) : text);
    } else if (event.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    }
  };
  const refused = (n: number): PreviewError | undefined =>
    props.error?.field === `extraActions[${n}]` ? props.error : undefined;

  return (
    <fieldset className="extra-actions">
      <legend>Extra allowed actions</legend>
      <p className="hint" id={`${id}-hint`}>
        Any IAM action, or a wildcard such as ec2:Describe*, allowed on every resource. Type to search AWS's list.
      </p>
      <div className="field-row combobox">
        <label htmlFor={`${id}-input`} className="visually-hidden">
          Action to add
        </label>
        <input
          id={`${id}-input`}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={`${id}-listbox`}
          aria-activedescendant={expanded && active >= 0 ? `${id}-option-${active}` : undefined}
          aria-describedby={`${id}-hint${didYouMean.length > 0 && options.length === 0 ? ` ${id}-dym` : ''}`}
          value={text}
          placeholder="s3:GetObject"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
        />
        <button type="button" className="secondary" onClick={() => add(text)}>
          Add action
        </button>
        <ul id={`${id}-listbox`} role="listbox" aria-label="Matching AWS actions" hidden={!expanded}>
          {options.map((name, n) => (
            <li
              key={name}
              id={`${id}-option-${n}`}
              role="option"
              aria-selected={n === active}
              onMouseDown={(e) => {
                e.preventDefault();
                add(name);
              }}
            >
              {name}
            </li>
          ))}
        </ul>
      </div>
      {didYouMean.length > 0 && options.length === 0 ? (
        <p className="did-you-mean" id={`${id}-dym`} role="status">
          No AWS action starts with <code>{prefix}</code>. Did you mean{' '}
          {didYouMean.map((s, n) => (
            <span key={s}>
              {n > 0 ? ' or ' : ''}
              <button type="button" className="link-button" onClick={() => setText(s)}>
                {s}
              </button>
            </span>
          ))}
          ?
        </p>
      ) : null}
      {props.actions.length === 0 ? null : (
        <ul className="chosen" aria-label="Extra actions added">
          {props.actions.map((a, n) => {
            const error = refused(n);
            return (
              <li key={a} className={error === undefined ? '' : 'field-invalid'}>
                <code>{a}</code>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove ${a}`}
                  onClick={() => props.onChange(props.actions.filter((_, i) => i !== n))}
                >
                  Remove
                </button>
                {error === undefined ? null : (
                  <p className="field-error" role="alert">
                    {error.suggestions !== undefined && error.suggestions.length > 0 ? (
                      <>
                        <code>{a}</code> is not an AWS action. Did you mean{' '}
                        {error.suggestions.map((s, k) => (
                          <span key={s}>
                            {k > 0 ? ' or ' : ''}
                            <button
                              type="button"
                              className="link-button"
                              aria-label={`Replace ${a} with ${s}`}
                              onClick={() => props.onChange(props.actions.map((x, i) => (i === n ? s : x)))}
                            >
                              {s}
                            </button>
                          </span>
                        ))}
                        ?
                      </>
                    ) : (
                      error.message
                    )}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
