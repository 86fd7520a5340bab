/** Where awards are counted and paid: the ledger when ingesting, memory when simulating. */
export interface Bank {
  usage(q: { programId: string; ruleId: string | null; recipientId: string; from: number; to: number }): Promise<{ points: number; times: number }>;
  budgetLeft(programId: string): Promise<number>;
  pay(a: { programId: string; version: number; ruleId: string; recipientId: string; amount: number; eventId: string; occurredAt: number; cause?: 'event' | 'goal_tier'; goalId?: string; reason?: string }): Promise<string | null>;
}
