import { useEffect, useRef, useState } from 'react';
import { api, apiError, unwrap, type ApiError } from '../../../../api.ts';
import type { PolicyPreview, PolicyPreviewBody } from '../../wizard-state.ts';

/** How long the preview waits for the next tick before asking (a burst of ticks is one request). */
export const PREVIEW_DEBOUNCE_MS = 25;

/** The API's error with the did-you-mean it carries (UNKNOWN_ACTION: `details.suggestions`). */
export interface PreviewError extends ApiError {
  suggestions?: string[];
}

/**
 * The live policy preview of `body`: asked of `POST /v1/policy-preview` (the create path's compiler, so what is shown
 * is what the connection gets) a moment after the last change; a request made stale by a newer change is aborted.
 * `current` is false while the preview shown is of an older body.
 */
export function usePolicyPreview(body: PolicyPreviewBody): {
  preview: PolicyPreview | undefined;
  error: PreviewError | undefined;
  current: boolean;
} {
  const key = JSON.stringify(body);
  const [answer, setAnswer] = useState<{ key: string; preview?: PolicyPreview; error?: PreviewError }>({ key: '' });
  const last = useRef<PolicyPreview | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      unwrap(api.POST('/v1/policy-preview', { body: JSON.parse(key) as PolicyPreviewBody, signal: controller.signal }))
        .then((preview) => {
          last.current = preview;
          setAnswer({ key, preview });
        })
        .catch((thrown: unknown) => {
          if (controller.signal.aborted) return;
          const details = (thrown as { details?: { suggestions?: unknown } }).details;
          const suggestions = Array.isArray(details?.suggestions) ? (details.suggestions as string[]) : undefined;
          setAnswer({ key, error: { ...apiError(thrown), ...(suggestions === undefined ? {} : { suggestions }) } });
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return {
    preview: answer.preview ?? last.current,
    error: answer.key === key ? answer.error : undefined,
    current: answer.key === key && answer.error === undefined,
  };
}
