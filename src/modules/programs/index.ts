// Programs: what turns behaviour into points. Audiences, windows, budgets funded from the
// ledger, versions of compiled rules, caps, holdouts, and the award step of the pipeline.
export { createProgramsService, engineContextOf, isHeldOut, teamPath, type ProgramsService, type EngineEvent, type EngineContext } from './programs.service.js';
export { programsRoutes } from './programs.routes.js';
export { goalsRoutes } from './goals.routes.js';
export { programsMigrations } from './programs.migrations.js';
export { ZOutcome, ZAudience, type TOutcome, type TAudience } from './programs.schema.js';
