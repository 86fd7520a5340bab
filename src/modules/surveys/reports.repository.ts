import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { DIMENSIONS, type Dimension, type Group } from './anonymity.js';
import { NEED_DRIVERS, driverColumn, type NeedDriver, type PairSums } from './scores.js';
import type { SurveysTables } from './surveys.tables.js';

type Db = Kysely<SurveysTables>;
const DAY = 24 * 3600 * 1000;

/** One finest cell of a survey's responses with the sums the report adds up. */
export interface CubeRow {
  values: Record<Dimension, string | null>;
  n: number;
  /** respondents with an engagement index, its sum, and how many are engaged / actively disengaged */
  en: number;
  es: number;
  engaged: number;
  disengaged: number;
  /** per driver: respondents with a mean, and the sums for Pearson's r with the index */
  drivers: Record<NeedDriver, { respondents: number } & PairSums>;
}

export interface ValueCount {
  question_id: string;
  value_num: number | null;
  value_text: string | null;
  n: number;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/**
 * The report's queries. Everything over the responses is one GROUP BY on the grouping attributes
 * (the finest cells) with SQL sums; everything over the answers is a GROUP BY on (question,
 * value), reaching the responses only when a filter or a breakdown needs their attributes.
 */
export function createReportsRepository(anyDb: AnyDb) {
  const db = anyDb as Db;

  /** Conditions on the responses (alias r) for a group, and the step release. */
  function responseFilter(g: Group, releasedOnly: boolean): RawBuilder<unknown> {
    const parts: RawBuilder<unknown>[] = [];
    for (const d of DIMENSIONS) {
      if (g[d] === undefined) continue;
      parts.push(g[d] === null ? sql`r.${sql.ref(d)} is null` : sql`r.${sql.ref(d)} = ${g[d]}`);
    }
    if (releasedOnly) parts.push(sql`r.released = 1`);
    return parts.length ? sql`and ${sql.join(parts, sql` and `)}` : sql``;
  }
  const needsJoin = (g: Group, releasedOnly: boolean) => releasedOnly || DIMENSIONS.some((d) => g[d] !== undefined);
  const joinResponses = sql`join survey_responses r on r.workspace_id = a.workspace_id and r.survey_id = a.survey_id and r.id = a.response_id`;

  return {
    /**
     * The finest cells of a survey's responses (one row per combination of grouping attributes)
     * with counts, the engagement split under the given thresholds and, per driver, the sums
     * Pearson's r needs: one scan of the responses.
     */
    async cube(ws: string, surveyId: string, t: { engagedAtOrAbove: number; activelyDisengagedBelow: number }, releasedOnly: boolean): Promise<CubeRow[]> {
      const y = sql.ref('engagement_index');
      const driverSums = NEED_DRIVERS.flatMap((d) => {
        const x = sql.ref(driverColumn(d));
        return [
          sql`count(${x}) as ${sql.ref(`${d}_r`)}`,
          sql`sum(case when ${y} is not null and ${x} is not null then 1 else 0 end) as ${sql.ref(`${d}_n`)}`,
          sql`sum(case when ${y} is not null then ${x} end) as ${sql.ref(`${d}_sx`)}`,
          sql`sum(case when ${x} is not null then ${y} end) as ${sql.ref(`${d}_sy`)}`,
          sql`sum(case when ${y} is not null then ${x} * ${x} end) as ${sql.ref(`${d}_sxx`)}`,
          sql`sum(case when ${x} is not null then ${y} * ${y} end) as ${sql.ref(`${d}_syy`)}`,
          sql`sum(${x} * ${y}) as ${sql.ref(`${d}_sxy`)}`,
        ];
      });
      const dims = sql.join(DIMENSIONS.map((d) => sql.ref(d)));
      const rows = await sql<Record<string, unknown>>`
        select ${dims}, count(*) as n, count(${y}) as en, sum(${y}) as es,
          sum(case when ${y} >= ${t.engagedAtOrAbove} then 1 else 0 end) as engaged,
          sum(case when ${y} < ${t.activelyDisengagedBelow} then 1 else 0 end) as disengaged,
          ${sql.join(driverSums)}
        from survey_responses r
        where r.workspace_id = ${ws} and r.survey_id = ${surveyId} ${releasedOnly ? sql`and r.released = 1` : sql``}
        group by ${dims}`.execute(db);
      return rows.rows.map((r) => ({
        values: Object.fromEntries(DIMENSIONS.map((d) => [d, (r[d] as string | null) ?? null])) as Record<Dimension, string | null>,
        n: num(r.n),
        en: num(r.en),
        es: num(r.es),
        engaged: num(r.engaged),
        disengaged: num(r.disengaged),
        drivers: Object.fromEntries(
          NEED_DRIVERS.map((d) => [d, { respondents: num(r[`${d}_r`]), n: num(r[`${d}_n`]), sx: num(r[`${d}_sx`]), sy: num(r[`${d}_sy`]), sxx: num(r[`${d}_sxx`]), syy: num(r[`${d}_syy`]), sxy: num(r[`${d}_sxy`]) }]),
        ) as CubeRow['drivers'],
      }));
    },

    /** Answers per (question, value) in a group: every distribution, mean and score comes from it. */
    async distribution(ws: string, surveyId: string, g: Group, releasedOnly: boolean, questionIds?: string[]): Promise<ValueCount[]> {
      const only = questionIds ? sql`and a.question_id in (${sql.join(questionIds)})` : sql``;
      const rows = needsJoin(g, releasedOnly)
        ? await sql<ValueCount>`select a.question_id, a.value_num, a.value_text, count(*) as n from survey_answers a ${joinResponses}
            where a.workspace_id = ${ws} and a.survey_id = ${surveyId} ${only} ${responseFilter(g, releasedOnly)}
            group by a.question_id, a.value_num, a.value_text`.execute(db)
        : await sql<ValueCount>`select a.question_id, a.value_num, a.value_text, count(*) as n from survey_answers a
            where a.workspace_id = ${ws} and a.survey_id = ${surveyId} ${only}
            group by a.question_id, a.value_num, a.value_text`.execute(db);
      return rows.rows.map((r) => ({ ...r, value_num: r.value_num === null ? null : Number(r.value_num), n: Number(r.n) }));
    },

    /** Scale answers per (attribute value, question, value) in a group, for a breakdown's cells. */
    async breakdownDistribution(ws: string, surveyId: string, dim: Dimension, g: Group, releasedOnly: boolean, questionIds: string[]) {
      if (!questionIds.length) return [];
      const rows = await sql<ValueCount & { cell: string | null }>`
        select r.${sql.ref(dim)} as cell, a.question_id, a.value_num, null as value_text, count(*) as n from survey_answers a ${joinResponses}
        where a.workspace_id = ${ws} and a.survey_id = ${surveyId} and a.question_id in (${sql.join(questionIds)}) and a.value_num is not null ${responseFilter(g, releasedOnly)}
        group by r.${sql.ref(dim)}, a.question_id, a.value_num`.execute(db);
      return rows.rows.map((r) => ({ ...r, value_num: Number(r.value_num), n: Number(r.n) }));
    },

    /** Respondents per question of multiple-choice questions (one row per chosen option otherwise). */
    async respondentsPerQuestion(ws: string, surveyId: string, g: Group, releasedOnly: boolean, questionIds: string[]) {
      if (!questionIds.length) return new Map<string, number>();
      const rows = await sql<{ question_id: string; n: number }>`
        select a.question_id, count(*) as n from survey_answers a ${needsJoin(g, releasedOnly) ? joinResponses : sql``}
        where a.workspace_id = ${ws} and a.survey_id = ${surveyId} and a.question_id in (${sql.join(questionIds)}) and a.seq = 0 ${responseFilter(g, releasedOnly)}
        group by a.question_id`.execute(db);
      return new Map(rows.rows.map((r) => [r.question_id, Number(r.n)]));
    },

    /** Free-text answers of a group, with the person (shown for identified surveys only). */
    async comments(ws: string, surveyId: string, g: Group, releasedOnly: boolean, limit: number) {
      const rows = await sql<{ question_id: string; comment: string; person_id: string | null }>`
        select a.question_id, a.comment, r.person_id from survey_answers a ${joinResponses}
        where a.workspace_id = ${ws} and a.survey_id = ${surveyId} and a.comment is not null ${responseFilter(g, releasedOnly)}
        order by a.response_id, a.question_id limit ${limit}`.execute(db);
      return rows.rows;
    },

    /** Responses per UTC day, whole survey. */
    async perDay(ws: string, surveyId: string) {
      const rows = await sql<{ day: number; n: number }>`
        select r.submitted_on / ${sql.lit(DAY)} as day, count(*) as n from survey_responses r
        where r.workspace_id = ${ws} and r.survey_id = ${surveyId} group by 1 order by 1`.execute(db);
      return rows.rows.map((r) => ({ day: Number(r.day), n: Number(r.n) }));
    },

    /** Responses of a survey its live results cover (anonymous surveys while open). */
    async releasedCount(ws: string, surveyId: string) {
      const r = await db.selectFrom('survey_responses').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws).where('survey_id', '=', surveyId).where('released', '=', 1).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Earlier surveys of the same template (or, without one, of the same kind), oldest first, this one last. */
    async waves(ws: string, s: { id: string; template: string | null; kind: string; created_at: number }, limit: number) {
      let q = db.selectFrom('surveys').selectAll().where('workspace_id', '=', ws).where('status', '!=', 'draft').where('created_at', '<=', s.created_at).where('id', '!=', s.id);
      q = s.template ? q.where('template', '=', s.template) : q.where('kind', '=', s.kind as never).where('template', 'is', null);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.reverse();
    },
  };
}
export type ReportsRepository = ReturnType<typeof createReportsRepository>;
