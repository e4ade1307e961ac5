import { useState } from 'react';
import { copyText, downloadText } from './copy-download.ts';

/**
 * A deliverable shown as text with Copy and Download. `href` downloads the service's own file
 * (`/v1/connections/:id/deliverables/:format`, same origin, the session cookie); without it the text is saved as is.
 */
export function DeliverableText(props: {
  /** What it is, for the buttons' names: "CloudFormation template (YAML)". */
  what: string;
  text: string;
  filename: string;
  type: string;
  href?: string;
  testId?: string;
}) {
  const [said, setSaid] = useState('');
  return (
    <div className="deliverable">
      <div className="preview-toolbar">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void copyText(props.text).then((ok) => setSaid(ok ? `Copied the ${props.what}.` : 'Copy failed.'))
          }
        >
          {`Copy the ${props.what}`}
        </button>
        {props.href === undefined ? (
          <button
            type="button"
            className="secondary"
            onClick={() => downloadText(props.text, props.filename, props.type)}
          >
            {`Download the ${props.what}`}
          </button>
        ) : (
          <a className="button-link" href={props.href} download={props.filename}>
            {`Download the ${props.what}`}
          </a>
        )}
        <span role="status">{said}</span>
      </div>
      <pre className="preview-json" tabIndex={0} aria-label={`The ${props.what}`} data-testid={props.testId}>
        {props.text}
      </pre>
    </div>
  );
}
