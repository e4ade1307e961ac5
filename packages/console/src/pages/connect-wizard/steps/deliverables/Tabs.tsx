import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** One tab: its label and its panel. */
export interface TabSpec {
  id: string;
  label: string;
  panel: ReactNode;
}

/**
 * Tabs as the WAI-ARIA Authoring Practices describe them: a `tablist` of `tab` buttons (only the selected one is in
 * the Tab order; Left/Right move and select, Home/End go to the ends), each controlling its `tabpanel`, which is
 * focusable so the keyboard reaches its content next.
 */
export function Tabs(props: { label: string; tabs: TabSpec[]; idPrefix: string }) {
  const [selected, setSelected] = useState(props.tabs[0]?.id ?? '');
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const current = props.tabs.find((t) => t.id === selected) ?? props.tabs[0];
  const tabId = (id: string) => `${props.idPrefix}-tab-${id}`;
  const panelId = (id: string) => `${props.idPrefix}-panel-${id}`;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const at = props.tabs.findIndex((t) => t.id === current?.id);
    const last = props.tabs.length - 1;
    const to =
      event.key === 'ArrowRight'
        ? at === last
          ? 0
          : at + 1
        : event.key === 'ArrowLeft'
          ? at === 0
            ? last
            : at - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined;
    const tab = to === undefined ? undefined : props.tabs[to];
    if (tab === undefined) return;
    event.preventDefault();
    setSelected(tab.id);
    buttons.current.get(tab.id)?.focus();
  };

  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} className="tab-list" onKeyDown={onKeyDown}>
        {props.tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={tabId(t.id)}
            aria-selected={t.id === current?.id}
            aria-controls={panelId(t.id)}
            tabIndex={t.id === current?.id ? 0 : -1}
            className="tab"
            ref={(el) => {
              if (el === null) buttons.current.delete(t.id);
              else buttons.current.set(t.id, el);
            }}
            onClick={() => setSelected(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {props.tabs.map((t) => (
        <div
          key={t.id}
          role="tabpanel"
          id={panelId(t.id)}
          aria-labelledby={tabId(t.id)}
          tabIndex={0}
          className="tab-panel"
          hidden={t.id !== current?.id}
        >
          {t.id === current?.id ? t.panel : null}
        </div>
      ))}
    </div>
  );
}
