import { Alert, List, Text } from '@mantine/core';
import { ApiError } from '../api/client';
import type { FieldError } from '../api/types';
import { formatDuration } from '../lib/format';
import { IconAlert } from './icons';

/**
 * The problem+json `detail` of a failed call, and any per-field errors that no input on the
 * form shows (pass the paths the form shows in `shown`).
 */
export function ErrorAlert({ error, shown = [], title }: { error: unknown; shown?: string[]; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const rest: FieldError[] = (e?.fieldErrors ?? []).filter((f) => !shown.some((p) => f.path === p || f.path.startsWith(`${p}.`)));
  const handled = e && e.fieldErrors.length > 0 && rest.length === 0;
  const detail = e ? e.problem.detail : error instanceof Error ? error.message : String(error);
  // The API's detail for bad input is often the field list again: say it once.
  const detailRepeats = rest.length > 0 && detail === (e?.fieldErrors ?? []).map((f) => `${f.path}: ${f.message}`).join('; ');
  return (
    <Alert color="red" variant="light" icon={<IconAlert />} title={title ?? (handled ? 'Please correct the highlighted fields' : (e?.problem.title ?? 'Something went wrong'))} role="alert">
      {!handled && !detailRepeats && <Text size="sm">{detail}</Text>}
      {e?.status === 429 && e.retryAfter != null && <Text size="sm">Try again in {formatDuration(e.retryAfter)}.</Text>}
      {rest.length > 0 && (
        <List size="sm" mt={4}>
          {rest.map((f, i) => (
            <List.Item key={i}>
              <strong>{f.path}</strong>: {f.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/** The message for one field path from an ApiError (also matches nested paths like attributes.x). */
export function fieldError(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const hits = error.fieldErrors.filter((f) => f.path === path || f.path.startsWith(`${path}.`));
  return hits.length ? hits.map((f) => (f.path === path ? f.message : `${f.path.slice(path.length + 1)}: ${f.message}`)).join('; ') : undefined;
}
