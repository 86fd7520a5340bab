// Anonymity for survey reports (issue #7, decisions.md): which groups may be shown, decided
// once per survey from the counts of its finest cells, the same way for every query, so that
// no answer shows a group below k and no two answers reveal one by their difference. Pure
// functions; docs/scoring.md "Anonymity" explains the rules.

/** The grouping attributes a response carries (captured at invitation), in a fixed order. */
export const DIMENSIONS = ['team_id', 'tenure_band', 'person_kind', 'account_tier'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** A group: per dimension a value (null: responses without one) or undefined (any value). */
export type Group = Partial<Record<Dimension, string | null>>;
export type Suppression = 'below_threshold' | 'differencing';

/** One finest cell: a combination of attribute values and its response count. */
export interface Cell {
  values: Record<Dimension, string | null>;
  n: number;
}

const ANY = '\u0001';
const keyOf = (vals: readonly (string | null)[]) => vals.map((v) => (v === null ? '\u0000' : v)).join('\u0002');
const groupVals = (g: Group) => DIMENSIONS.map((d) => (g[d] === undefined ? ANY : g[d]!));

/** Does a cell belong to a group? */
export const inGroup = (c: Cell, g: Group) => DIMENSIONS.every((d) => g[d] === undefined || c.values[d] === g[d]);

/** FNV-1a over a string with a seed: a fixed pseudo-random 32-bit tag per cell. */
function fnv(s: string, seed: number) {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

interface Node {
  vals: (string | null)[];
  n: number;
  /** the set of cells it holds, as XORs of two 32-bit tags: equal sets, equal signatures */
  h1: number;
  h2: number;
}
const sigOf = (g: Node) => `${g.h1}:${g.h2}`;

export interface Anonymity {
  k: number;
  /** responses in a group */
  count(g: Group): number;
  /** why a group is not shown, or null when it may be */
  suppression(g: Group): Suppression | null;
}

/**
 * Decides, for every group of a survey (every combination of "any" or one value per
 * dimension), whether it may be shown:
 *
 * 1. below k: hidden (`below_threshold`), zero included;
 * 2. differencing with a broader group: if any group D holding exactly the same responses as G
 *    has a broader group H (D with constraints dropped) that differs from it by 1…k−1
 *    responses, G is hidden (`differencing`). Comparing D rather than G alone catches groups
 *    nested by their members, not by their definitions (all of team X in one tenure band);
 * 3. complements: for every group P with at least k responses and every dimension, the hidden
 *    parts of P's split by that dimension must hold 0 or at least k responses together (else
 *    P minus the shown parts reveals them): the smallest shown part is hidden too, until so.
 *
 * Hiding is decided by the set of responses a group holds, so two definitions of one set are
 * hidden together; rules 2–3 only ever hide more, and are repeated until nothing changes.
 */
export function anonymity(cells: readonly Cell[], k: number): Anonymity {
  const groups = new Map<string, Node>();
  const dims = DIMENSIONS.length;
  for (const c of cells) {
    if (c.n <= 0) continue;
    const vals = DIMENSIONS.map((d) => c.values[d]);
    const ck = keyOf(vals);
    const t1 = fnv(ck, 2166136261);
    const t2 = fnv(ck, 374761393);
    for (let mask = 0; mask < 1 << dims; mask++) {
      const gv = vals.map((v, i) => (mask & (1 << i) ? ANY : v));
      const gk = keyOf(gv);
      let g = groups.get(gk);
      if (!g) groups.set(gk, (g = { vals: gv, n: 0, h1: 0, h2: 0 }));
      g.n += c.n;
      g.h1 = (g.h1 ^ t1) >>> 0;
      g.h2 = (g.h2 ^ t2) >>> 0;
    }
  }

  const hidden = new Set<string>();
  // Rule 2: differences with broader groups.
  for (const g of groups.values()) {
    const fixed = g.vals.map((v, i) => (v === ANY ? -1 : i)).filter((i) => i >= 0);
    for (let m = 1; m < 1 << fixed.length; m++) {
      const hv = g.vals.slice();
      fixed.forEach((dim, j) => {
        if (m & (1 << j)) hv[dim] = ANY;
      });
      const diff = groups.get(keyOf(hv))!.n - g.n;
      if (diff > 0 && diff < k) {
        hidden.add(sigOf(g));
        break;
      }
    }
  }

  // Rule 3: complements of splits, to a fixed point.
  const splits = new Map<string, Node[]>();
  for (const g of groups.values()) {
    g.vals.forEach((v, i) => {
      if (v === ANY) return;
      const pv = g.vals.slice();
      pv[i] = ANY;
      const sk = `${keyOf(pv)}|${i}`;
      const list = splits.get(sk);
      if (list) list.push(g);
      else splits.set(sk, [g]);
    });
  }
  const isShown = (g: Node) => g.n >= k && !hidden.has(sigOf(g));
  for (let changed = true; changed; ) {
    changed = false;
    for (const parts of splits.values()) {
      let hiddenSum = 0;
      for (const p of parts) if (!isShown(p)) hiddenSum += p.n;
      while (hiddenSum > 0 && hiddenSum < k) {
        let next: Node | undefined;
        for (const p of parts) if (isShown(p) && (!next || p.n < next.n || (p.n === next.n && keyOf(p.vals) < keyOf(next.vals)))) next = p;
        if (!next) break;
        hidden.add(sigOf(next));
        changed = true;
        hiddenSum = 0;
        for (const p of parts) if (!isShown(p)) hiddenSum += p.n;
      }
    }
  }

  const node = (g: Group) => groups.get(keyOf(groupVals(g)));
  return {
    k,
    count: (g) => node(g)?.n ?? 0,
    suppression(g) {
      const x = node(g);
      if (!x || x.n < k) return 'below_threshold';
      return hidden.has(sigOf(x)) ? 'differencing' : null;
    },
  };
}
