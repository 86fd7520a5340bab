import { useState } from 'react';

/**
 * The cursors that opened each page of a cursor-paged list (the first is undefined), for
 * CursorPager: the current cursor, the page number, and moving back and forth.
 */
export function useCursorStack() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length - 1,
    /** back to the first page (the filters changed) */
    reset: () => setCursors([undefined]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    next: (nextCursor: string | null | undefined) => {
      if (nextCursor) setCursors((c) => [...c, nextCursor]);
    },
  };
}
