// `npm run bench -- <name> [figure …]`: runs one benchmark (and only the figures named, if any),
// prints its information lines, then one contract line per figure:
//   BENCH <name> <figure> ratio=<r> goal=<g> pass|fail
// Exit 0 when every figure passes, 1 when one fails, 2 for an unknown name.
import { benchLine, passes, type Figure } from './figures.js';

export interface Benchmark {
  /** the figures this benchmark can measure, in the order it measures them */
  figures: readonly string[];
  run(figures: readonly string[]): Promise<Figure[]>;
}

const BENCHMARKS: Record<string, { about: string; load: () => Promise<Benchmark> }> = {
  people: {
    about: 'batch import of 100,000 people vs raw better-sqlite3; GET /api/v1/people vs a bare Fastify route',
    load: async () => (await import('./people.bench.js')).peopleBenchmark,
  },
  engine: {
    about: '20 rules vs json-rules-engine; SQLite and PostgreSQL batch ingestion vs raw inserts; single-event HTTP vs a bare route; wallet read vs a raw lookup',
    load: async () => (await import('./engine.bench.js')).engineBenchmark,
  },
  redeem: {
    about: 'redemptions through the redemptions service (SQLite, 3,000 participants, a mixed catalog) vs raw better-sqlite3 doing the same writes in one transaction',
    load: async () => (await import('./redeem.bench.js')).redeemBenchmark,
  },
  survey: {
    about: 'the full report of one survey with 1,000,000 responses (20 questions) vs a single GROUP BY over its answers, on SQLite and PostgreSQL',
    load: async () => (await import('./survey.bench.js')).surveyBenchmark,
  },
  outbox: {
    about: '10,000 webhook deliveries by the outbox worker vs a bare undici loop at the same concurrency',
    load: async () => (await import('./outbox.bench.js')).outboxBenchmark,
  },
};

function usage(message: string) {
  console.error(message);
  console.error('Usage: npm run bench -- <name> [figure …]\nAvailable benchmarks:');
  for (const [name, b] of Object.entries(BENCHMARKS)) console.error(`  ${name.padEnd(10)} ${b.about}`);
  process.exit(2);
}

const [name, ...wanted] = process.argv.slice(2);
const entry = name ? BENCHMARKS[name] : undefined;
if (!name || !entry) usage(name ? `Unknown benchmark: ${name}` : 'Name a benchmark.');
else {
  const bench = await entry.load();
  const unknown = wanted.filter((f) => !bench.figures.includes(f));
  if (unknown.length) usage(`Unknown figure(s) for ${name}: ${unknown.join(', ')} (it has: ${bench.figures.join(', ')})`);
  const figures = await bench.run(wanted.length ? wanted : bench.figures);
  console.log('');
  for (const f of figures) console.log(benchLine(f));
  process.exit(figures.every(passes) ? 0 : 1);
}
