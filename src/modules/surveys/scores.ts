// The scores' formulas as pure functions (docs/scoring.md states each): NPS and CSAT with their
// 95% intervals, a respondent's engagement index, classification and driver means (computed once
// at submit), and Pearson's r from running sums (computed by SQL over the responses).
import { DRIVERS } from './surveys.schema.js';
import type { AnswerValue } from './surveys.questions.js';

export const Z95 = 1.96;
/** The drivers of engagement (every tag but the outcome `engagement`), one column each on a response. */
export const NEED_DRIVERS = DRIVERS.filter((d): d is Exclude<(typeof DRIVERS)[number], 'engagement'> => d !== 'engagement');
export type NeedDriver = (typeof NEED_DRIVERS)[number];
export const driverColumn = (d: NeedDriver) => `d_${d}` as const;
export type DriverColumns = { [D in NeedDriver as `d_${D}`]: number | null };

export type Classification = 'engaged' | 'not_engaged' | 'actively_disengaged';
export interface Thresholds {
  engagedAtOrAbove: number;
  activelyDisengagedBelow: number;
}

const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
export const round = (v: number, places = 2) => Math.round(v * 10 ** places) / 10 ** places;

/**
 * NPS: 100·(p₊ − p₋) with p₊ the share of 9–10 and p₋ of 0–6; its 95% interval from the
 * variance of a difference of multinomial proportions, var = (p₊ + p₋ − (p₊ − p₋)²)/n,
 * score ± 1.96·√var·100, clipped to −100…100.
 */
export function npsScore(promoters: number, passives: number, detractors: number) {
  const n = promoters + passives + detractors;
  if (!n) return null;
  const pp = promoters / n;
  const pd = detractors / n;
  const score = 100 * (pp - pd);
  const half = Z95 * Math.sqrt(Math.max(0, pp + pd - (pp - pd) ** 2) / n) * 100;
  return { score: round(score), low: round(clip(score - half, -100, 100)), high: round(clip(score + half, -100, 100)), responses: n, promoters, passives, detractors };
}

/** A share in % with its Wilson 95% interval (CSAT: the share of 4 and 5). */
export function wilsonScore(hits: number, n: number) {
  if (!n) return null;
  const p = hits / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { score: round(100 * p), low: round(100 * clip(centre - half, 0, 1)), high: round(100 * clip(centre + half, 0, 1)), responses: n };
}

/** Engagement index 0–100 from a mean on the 1–5 agreement scale: (mean − 1) / 4 · 100. */
export const engagementIndex = (mean: number) => ((mean - 1) / 4) * 100;

export function classify(index: number, t: Thresholds): Classification {
  if (index >= t.engagedAtOrAbove) return 'engaged';
  if (index < t.activelyDisengagedBelow) return 'actively_disengaged';
  return 'not_engaged';
}

/**
 * What a response keeps of its own answers for the reports, computed once at submit: the
 * engagement index (mean of its agreement items tagged `engagement`, scaled 0–100), its
 * classification under the thresholds in force, and the mean of its agreement items per driver.
 * Null where the respondent answered no such item.
 */
export function respondentScores(questions: readonly { id: string; type: string; driver: string | null }[], answers: Record<string, AnswerValue>, t: Thresholds): { engagement_index: number | null; classification: Classification | null } & DriverColumns {
  const sums = new Map<string, { s: number; n: number }>();
  for (const q of questions) {
    const v = answers[q.id];
    if (q.type !== 'agreement' || !q.driver || typeof v !== 'number') continue;
    const acc = sums.get(q.driver) ?? { s: 0, n: 0 };
    acc.s += v;
    acc.n++;
    sums.set(q.driver, acc);
  }
  const mean = (d: string) => {
    const a = sums.get(d);
    return a ? a.s / a.n : null;
  };
  const e = mean('engagement');
  const index = e === null ? null : engagementIndex(e);
  const out = { engagement_index: index, classification: index === null ? null : classify(index, t) } as { engagement_index: number | null; classification: Classification | null } & DriverColumns;
  for (const d of NEED_DRIVERS) out[driverColumn(d)] = mean(d);
  return out;
}

/** Running sums over pairs (x, y): what SQL hands back per driver. */
export interface PairSums {
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
}

/** Pearson's r from running sums: (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)); null without variance. */
export function pearson(p: PairSums): number | null {
  const vx = p.n * p.sxx - p.sx * p.sx;
  const vy = p.n * p.syy - p.sy * p.sy;
  // Sums of floats: treat a variance within rounding of zero as none.
  const eps = 1e-9 * Math.max(1, p.n * p.sxx, p.n * p.syy);
  if (p.n < 2 || vx <= eps || vy <= eps) return null;
  return clip((p.n * p.sxy - p.sx * p.sy) / Math.sqrt(vx * vy), -1, 1);
}
