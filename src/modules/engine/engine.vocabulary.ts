import type { EventTypeSchema } from './engine.rules.js';

/** The event types every workspace starts with (the seed's vocabulary). Money is in minor units. */
export const BUILTIN_EVENT_TYPES: { name: string; description: string; schema: EventTypeSchema }[] = [
  {
    name: 'sale.closed',
    description: 'A sale closed: revenue and margin of the deal, the SKU and quantity sold',
    schema: {
      revenue: { type: 'integer', required: true, description: 'revenue in minor units (cents)' },
      margin: { type: 'number', description: 'gross margin as a fraction, 0.25 = 25%' },
      sku: { type: 'string' },
      quantity: { type: 'integer' },
    },
  },
  { name: 'deal.registered', description: 'A partner registered a deal', schema: { dealValue: { type: 'integer', description: 'expected value in minor units' }, product: { type: 'string' } } },
  { name: 'training.completed', description: 'A course was completed', schema: { course: { type: 'string', required: true }, score: { type: 'number' } } },
  { name: 'certification.earned', description: 'A certification was earned', schema: { certification: { type: 'string', required: true }, level: { type: 'enum', values: ['associate', 'professional', 'expert'] } } },
  { name: 'ticket.resolved', description: 'A support ticket was resolved', schema: { ticketId: { type: 'string' }, handledBy: { type: 'person', description: 'the employee who resolved it' }, contactExternalId: { type: 'person', description: 'the customer contact it was for (a survey trigger may send them a CSAT survey)' }, priority: { type: 'enum', values: ['low', 'normal', 'high', 'urgent'] } } },
  { name: 'review.posted', description: 'A customer posted a review', schema: { rating: { type: 'integer', required: true }, platform: { type: 'string' } } },
  { name: 'referral.made', description: 'Someone referred a new customer or partner', schema: { referredCompany: { type: 'string' }, converted: { type: 'boolean' } } },
  { name: 'attendance.recorded', description: 'Attendance at an event or training session', schema: { session: { type: 'string' }, minutes: { type: 'integer' } } },
  { name: 'account.renewed', description: 'An account renewed its contract', schema: { contractValue: { type: 'integer', description: 'minor units' }, termMonths: { type: 'integer' } } },
];
