import { randomBytes } from 'node:crypto';
import { AppError, type FieldError } from '../../core/errors.js';
import { SCALES, MAX_TEXT_ANSWER, type TQuestion, type TQuestionInput } from './surveys.schema.js';
import type { SurveyQuestionsTable } from './surveys.tables.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const newQuestionId = () => `q_${[...randomBytes(10)].map((b) => ALPHABET[b % 32]).join('')}`;

export const toQuestion = (r: SurveyQuestionsTable): TQuestion => ({
  id: r.id,
  type: r.type,
  text: r.text,
  help: r.help,
  required: !!r.required,
  options: r.options ? (JSON.parse(r.options) as TQuestion['options']) : null,
  showIf: r.show_if ? (JSON.parse(r.show_if) as TQuestion['showIf']) : null,
  driver: (r.driver as TQuestion['driver']) ?? null,
  scale: SCALES[r.type] ?? null,
});

const isChoice = (type: string) => type === 'single_choice' || type === 'multiple_choice';

/**
 * Checks a list of questions as a whole (ids once, options where a choice needs them, display
 * logic on an earlier question with answers it can have) and answers the rows to store.
 * Every problem is named by its path, e.g. `questions.3.showIf.question`.
 */
export function questionRows(ws: string, surveyId: string, input: TQuestionInput[], base = 'questions'): SurveyQuestionsTable[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, TQuestionInput>();
  const rows: SurveyQuestionsTable[] = [];
  input.forEach((q, i) => {
    const at = `${base}.${i}`;
    const id = q.id ?? newQuestionId();
    if (seen.has(id)) errors.push({ path: `${at}.id`, message: `${id} is used by an earlier question` });
    if (isChoice(q.type) && !q.options) errors.push({ path: `${at}.options`, message: `a ${q.type} question needs at least 2 options` });
    if (!isChoice(q.type) && q.options) errors.push({ path: `${at}.options`, message: `a ${q.type} question takes no options` });
    if (q.options && new Set(q.options.map((o) => o.value)).size !== q.options.length) errors.push({ path: `${at}.options`, message: 'each option value once' });
    if (q.driver && !SCALES[q.type]) errors.push({ path: `${at}.driver`, message: 'a driver tag goes on a scale question (agreement, likelihood, csat)' });
    if (q.showIf) {
      const target = seen.get(q.showIf.question);
      if (!target) errors.push({ path: `${at}.showIf.question`, message: 'must name an earlier question of this survey' });
      else {
        const scale = SCALES[target.type];
        const values = target.options?.map((o) => o.value);
        for (const [j, v] of q.showIf.in.entries()) {
          const ok = scale ? typeof v === 'number' && v >= scale.min && v <= scale.max : values ? typeof v === 'string' && values.includes(v) : false;
          if (!ok) errors.push({ path: `${at}.showIf.in.${j}`, message: target.type === 'text' ? 'a text answer cannot drive display logic' : scale ? `must be a number from ${scale.min} to ${scale.max}` : `must be one of ${values!.join(', ')}` });
        }
      }
    }
    seen.set(id, q);
    rows.push({
      workspace_id: ws,
      survey_id: surveyId,
      id,
      position: i,
      type: q.type,
      text: q.text,
      help: q.help ?? null,
      required: q.required === false ? 0 : 1,
      options: q.options ? JSON.stringify(q.options) : null,
      show_if: q.showIf ? JSON.stringify(q.showIf) : null,
      driver: q.driver ?? null,
    });
  });
  if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
  return rows;
}

export type AnswerValue = number | string | string[] | null;

/** Is a question shown, given the answers so far (display logic on an earlier answer)? */
export function isShown(q: TQuestion, answers: Record<string, AnswerValue>): boolean {
  if (!q.showIf) return true;
  const a = answers[q.showIf.question];
  if (a === undefined || a === null) return false;
  const list = Array.isArray(a) ? a : [a];
  return list.some((v) => q.showIf!.in.includes(v));
}

/** What is wrong with one answer to one question, or null. */
export function answerProblem(q: TQuestion, v: AnswerValue): string | null {
  if (v === null) return null;
  const scale = SCALES[q.type];
  if (scale) return typeof v === 'number' && Number.isInteger(v) && v >= scale.min && v <= scale.max ? null : `must be a whole number from ${scale.min} to ${scale.max}`;
  const values = q.options?.map((o) => o.value) ?? [];
  if (q.type === 'single_choice') return typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`;
  if (q.type === 'multiple_choice') {
    if (!Array.isArray(v)) return `must be a list of ${values.join(', ')}`;
    if (new Set(v).size !== v.length) return 'each option once';
    const bad = v.find((x) => !values.includes(x));
    return bad === undefined ? null : `${bad} is not one of ${values.join(', ')}`;
  }
  if (typeof v !== 'string') return 'must be text';
  return v.length > MAX_TEXT_ANSWER ? `at most ${MAX_TEXT_ANSWER} characters` : null;
}

/** Checks answers as saved so far: every question known, every value fits its question. */
export function checkAnswers(questions: TQuestion[], answers: Record<string, AnswerValue>, base = 'answers') {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const errors: FieldError[] = [];
  for (const [id, v] of Object.entries(answers)) {
    const q = byId.get(id);
    if (!q) errors.push({ path: `${base}.${id}`, message: 'not a question of this survey' });
    else {
      const p = answerProblem(q, v);
      if (p) errors.push({ path: `${base}.${id}`, message: p });
    }
  }
  if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
}

const blank = (v: AnswerValue | undefined) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && !v.length);

/**
 * The final answers: those of shown questions only (an answer to a question its logic hides is
 * dropped), every required shown question answered. Throws naming each missing one.
 */
export function finalAnswers(questions: TQuestion[], answers: Record<string, AnswerValue>, base = 'answers') {
  checkAnswers(questions, answers, base);
  const out: Record<string, AnswerValue> = {};
  const errors: FieldError[] = [];
  for (const q of questions) {
    if (!isShown(q, out)) continue;
    const v = answers[q.id];
    if (blank(v)) {
      if (q.required) errors.push({ path: `${base}.${q.id}`, message: `an answer is required: ${q.text}` });
      continue;
    }
    out[q.id] = v!;
  }
  if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
  return out;
}

/** Shown questions and how many of them are answered (the progress bar). */
export function progressOf(questions: TQuestion[], answers: Record<string, AnswerValue>) {
  const shown: Record<string, AnswerValue> = {};
  let total = 0;
  let answered = 0;
  for (const q of questions) {
    if (!isShown(q, shown)) continue;
    total++;
    const v = answers[q.id];
    if (!blank(v)) {
      answered++;
      shown[q.id] = v!;
    }
  }
  return { answered, total };
}
