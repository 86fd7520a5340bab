import { Button, Group, Text } from '@mantine/core';

/**
 * Previous / Next over a cursor-paged list. The caller keeps a stack of the cursors that
 * opened each page (the first is undefined).
 */
export function CursorPager({
  page,
  nextCursor,
  onPrevious,
  onNext,
  count,
  loading,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onPrevious(): void;
  onNext(): void;
  count: number;
  loading?: boolean;
}) {
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed" aria-live="polite">
        Page {page + 1}
        {count ? ` · ${count} shown` : ''}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="sm" onClick={onPrevious} disabled={page === 0 || loading}>
          Previous
        </Button>
        <Button variant="default" size="sm" onClick={onNext} disabled={!nextCursor || loading}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
