// Engine: the rule language. The vocabulary of event types (built in and declared), checking
// event properties, and validating and compiling rules into plain functions indexed by type.
export { createEngineService, type EngineService } from './engine.service.js';
export { engineRoutes } from './engine.routes.js';
export { engineMigrations } from './engine.migrations.js';
export { compileRules, compileMetric, compileEventCondition, checkProperties, ZRule, ZCap, ZPeriod, type CompiledRule, type CompiledRuleSet, type Facts, type FactPerson, type FactAccount, type TRule, type TCap, type Vocabulary, type RecipientSpec, type MetricSpec, type CompiledMetric } from './engine.rules.js';
export { periodOf, localTime, fromLocal, type Period } from './engine.time.js';
