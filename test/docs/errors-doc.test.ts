import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../src/core/errors.js';

// docs/errors.md documents the closed list of error codes: a table whose header starts
// `| code | status |`, one row per code: | `code` | 400 | when | what the caller should do |.
const DOC = path.resolve(import.meta.dirname, '../../docs/errors.md');

interface Row {
  line: number;
  cells: string[];
}

const cellsOf = (line: string) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/** The body rows of every markdown table whose first two header cells are "code" and "status". */
function codeTableRows(markdown: string): Row[] {
  const lines = markdown.split(/\r?\n/);
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i]!;
    if (!header.trim().startsWith('|')) continue;
    const [first, second] = cellsOf(header).map((c) => c.toLowerCase());
    if (first !== 'code' || second !== 'status' || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue;
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) rows.push({ line: j + 1, cells: cellsOf(lines[j]!) });
    i = j;
  }
  return rows;
}

/** Every row anywhere in the file that looks like a code entry: | `some_code` | 123 | … */
function codeLikeRows(markdown: string): { code: string; line: number }[] {
  return markdown
    .split(/\r?\n/)
    .map((l, i) => ({ m: /^\s*\|\s*`([a-z_]+)`\s*\|\s*\d{3}\s*\|/.exec(l), line: i + 1 }))
    .filter((x) => x.m)
    .map((x) => ({ code: x.m![1]!, line: x.line }));
}

describe('docs/errors.md', () => {
  const markdown = fs.readFileSync(DOC, 'utf8');
  const rows = codeTableRows(markdown);
  const entries = rows.map((r) => {
    const code = /^`([a-z_]+)`$/.exec(r.cells[0] ?? '')?.[1];
    const status = /^\d{3}$/.test(r.cells[1] ?? '') ? Number(r.cells[1]) : undefined;
    return { ...r, code, status };
  });

  test('has a table of codes whose rows are all `code` | status', () => {
    assert.ok(rows.length > 0, 'no table with a "| code | status |" header');
    for (const e of entries) {
      assert.ok(e.code, `line ${e.line}: the first cell must be a backticked code, got ${e.cells[0]}`);
      assert.ok(e.status, `line ${e.line}: the second cell must be an HTTP status, got ${e.cells[1]}`);
    }
  });

  test('lists every error code with its exact HTTP status', () => {
    const documented = new Map(entries.map((e) => [e.code, e.status]));
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      assert.ok(documented.has(code), `${code} is not documented`);
      assert.equal(documented.get(code), status, `${code} is documented with ${documented.get(code)}, the code answers ${status}`);
    }
  });

  test('lists no code that does not exist, and none twice', () => {
    const known = new Set(Object.keys(ERROR_CODES));
    const all = [...entries.map((e) => ({ code: e.code!, line: e.line })), ...codeLikeRows(markdown)];
    for (const { code, line } of all) assert.ok(known.has(code), `line ${line}: ${code} is not in ERROR_CODES`);
    const seen = new Set<string>();
    for (const e of entries) {
      assert.ok(!seen.has(e.code!), `line ${e.line}: ${e.code} is listed twice`);
      seen.add(e.code!);
    }
  });

  test('tells the caller what to do for each code', () => {
    for (const e of entries) {
      const advice = e.cells[e.cells.length - 1] ?? '';
      assert.ok(e.cells.length >= 4 && advice.length > 10, `line ${e.line}: ${e.code} has no advice for the caller`);
    }
  });
});
