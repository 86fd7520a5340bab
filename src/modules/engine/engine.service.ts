import { SqliteAdapter, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, notFound } from '../../core/errors.js';
import type { AuditService } from '../audit/index.js';
import { BUILTIN_EVENT_TYPES } from './engine.vocabulary.js';
import type { EventTypeSchema, Vocabulary } from './engine.rules.js';
import type { TCreateEventType } from './engine.schema.js';

interface EventTypesTable {
  workspace_id: string;
  name: string;
  description: string | null;
  schema: string;
  created_at: number;
}

const BUILTIN = new Map(BUILTIN_EVENT_TYPES.map((t) => [t.name, t]));

/** Event types: the vocabulary events and rules are checked against. */
export function createEngineService(deps: { db: AnyDb; clock: Clock; audit: AuditService }) {
  const db = deps.db as Kysely<{ event_types: EventTypesTable }>;
  const normalise = (schema: EventTypeSchema) =>
    Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, { ...v, required: v.required ?? false }]));

  // Vocabularies kept in memory for a second on SQLite: ingestion reads the vocabulary twice a
  // batch, and single events come in small groups. Types are only ever added, through `create`
  // here: a workspace's entry is dropped when a creation ends (committed or not), and a read
  // that overlapped a creation is not kept. A type added by another process on the same file
  // (`tandem worker` adds none) is seen within the second. On PostgreSQL: no cache. Callers
  // never change the map.
  const KEEP_MS = 1000;
  const keep = deps.db.getExecutor().adapter instanceof SqliteAdapter;
  const kept = new Map<string, { at: number; vocab: Vocabulary }>();
  let creating = 0;
  let generation = 0;

  return {
    /** The built-in types and the workspace's own, by name (read only). */
    async vocabulary(ws: string, tx?: AnyDb): Promise<Vocabulary> {
      const hit = keep ? kept.get(ws) : undefined;
      if (hit && performance.now() - hit.at < KEEP_MS) return hit.vocab;
      const seen = generation;
      const rows = await ((tx ?? db) as typeof db).selectFrom('event_types').select(['name', 'schema']).where('workspace_id', '=', ws).execute();
      const vocab: Vocabulary = new Map(BUILTIN_EVENT_TYPES.map((t) => [t.name, t.schema]));
      for (const r of rows) vocab.set(r.name, JSON.parse(r.schema) as EventTypeSchema);
      if (keep && !creating && seen === generation) {
        if (kept.size > 10_000) kept.clear();
        kept.set(ws, { at: performance.now(), vocab });
      }
      return vocab;
    },
    async list(ctx: AuthContext) {
      ctx.require('workspace.read');
      const rows = await db.selectFrom('event_types').selectAll().where('workspace_id', '=', ctx.workspaceId).orderBy('name').execute();
      return {
        data: [
          ...BUILTIN_EVENT_TYPES.map((t) => ({ name: t.name, description: t.description, builtIn: true, properties: normalise(t.schema), createdAt: null })),
          ...rows.map((r) => ({ name: r.name, description: r.description, builtIn: false, properties: normalise(JSON.parse(r.schema) as EventTypeSchema), createdAt: toIso(r.created_at) })),
        ],
      };
    },
    async get(ctx: AuthContext, name: string) {
      const found = (await this.list(ctx)).data.find((t) => t.name === name);
      if (!found) throw notFound('Event type');
      return found;
    },
    async create(ctx: AuthContext, input: TCreateEventType) {
      ctx.require('org.write');
      if (BUILTIN.has(input.name)) throw new AppError('conflict', { detail: `${input.name} is built in`, path: 'name' });
      const row: EventTypesTable = { workspace_id: ctx.workspaceId, name: input.name, description: input.description ?? null, schema: JSON.stringify(input.properties), created_at: deps.clock.now() };
      creating++;
      generation++;
      kept.delete(ctx.workspaceId);
      try {
        await db.transaction().execute(async (tx) => {
          const exists = await tx.selectFrom('event_types').select('name').where('workspace_id', '=', ctx.workspaceId).where('name', '=', input.name).executeTakeFirst();
          if (exists) throw new AppError('conflict', { detail: `The event type ${input.name} exists`, path: 'name' });
          await tx.insertInto('event_types').values(row).execute();
          await deps.audit.record(tx, ctx, { action: 'event_type.created', targetType: 'event_type', targetId: input.name, after: input });
        });
      } finally {
        creating--;
        generation++;
        kept.delete(ctx.workspaceId);
      }
      return { name: row.name, description: row.description, builtIn: false, properties: normalise(input.properties), createdAt: toIso(row.created_at) };
    },
  };
}
export type EngineService = ReturnType<typeof createEngineService>;
