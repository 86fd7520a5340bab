// Survey templates written for Tandem. The engagement survey's items follow the three needs of
// self-determination theory (competence, autonomy, social value / relatedness) plus management,
// recognition and growth, with engagement outcome items that later make the engagement index.
import type { TQuestionInput } from './surveys.schema.js';

export interface SurveyTemplate {
  id: string;
  title: string;
  description: string;
  kind: 'engagement' | 'pulse' | 'enps' | 'nps' | 'csat' | 'partner' | 'internal';
  privacy: 'anonymous' | 'confidential' | 'identified';
  questions: (TQuestionInput & { id: string })[];
}

const agree = (id: string, driver: NonNullable<TQuestionInput['driver']>, text: string): TQuestionInput & { id: string } => ({ id, type: 'agreement', text, driver, required: true });

export const SURVEY_TEMPLATES: SurveyTemplate[] = [
  {
    id: 'employee-engagement',
    title: 'Employee engagement survey',
    description: 'How people feel about their work: what they are good at, the room they have, the people around them, their manager, recognition and growth, and how engaged they are. Answers are anonymous.',
    kind: 'engagement',
    privacy: 'anonymous',
    questions: [
      agree('q_competence_1', 'competence', 'I have the skills and tools to do my work well.'),
      agree('q_competence_2', 'competence', 'Most weeks I finish something I am proud of.'),
      agree('q_autonomy_1', 'autonomy', 'I decide how to go about my own work.'),
      agree('q_autonomy_2', 'autonomy', 'When I suggest a better way of working, it is taken seriously.'),
      agree('q_social_1', 'social_value', 'People on my team count on me, and I can count on them.'),
      agree('q_social_2', 'social_value', 'I feel I belong here.'),
      agree('q_management_1', 'management', 'My manager makes clear what matters most right now.'),
      agree('q_management_2', 'management', 'My manager helps me when I am stuck.'),
      agree('q_recognition_1', 'recognition', 'When I do good work, someone notices and says so.'),
      agree('q_recognition_2', 'recognition', 'Recognition here goes to the people who earned it.'),
      agree('q_growth_1', 'growth', 'In the last six months I have learned something that made me better at my job.'),
      agree('q_growth_2', 'growth', 'I can see a next step for myself in this company.'),
      agree('q_engagement_1', 'engagement', 'I look forward to the work I have ahead of me.'),
      agree('q_engagement_2', 'engagement', 'I often put in more effort than the job strictly asks.'),
      agree('q_engagement_3', 'engagement', 'I expect to still be working here in two years.'),
      { id: 'q_enps', type: 'likelihood', text: 'How likely are you to recommend this company to a friend as a place to work?', driver: 'engagement', required: true },
      { id: 'q_comment', type: 'text', text: 'What one change would make the biggest difference to your work?', required: false },
    ],
  },
  {
    id: 'enps-pulse',
    title: 'eNPS pulse',
    description: 'Two questions, two minutes: would people recommend working here, and why.',
    kind: 'enps',
    privacy: 'anonymous',
    questions: [
      { id: 'q_enps', type: 'likelihood', text: 'How likely are you to recommend this company to a friend as a place to work?', driver: 'engagement', required: true },
      { id: 'q_why', type: 'text', text: 'What is the main reason for your score?', required: false },
    ],
  },
  {
    id: 'customer-nps',
    title: 'Customer NPS',
    description: 'Would your customers recommend you, and what would change their mind.',
    kind: 'nps',
    privacy: 'identified',
    questions: [
      { id: 'q_nps', type: 'likelihood', text: 'How likely are you to recommend us to a colleague or a friend?', required: true },
      { id: 'q_why', type: 'text', text: 'What is the main reason for your score?', required: false },
      { id: 'q_improve', type: 'text', text: 'What could we do to earn a higher score from you?', required: false, showIf: { question: 'q_nps', in: [0, 1, 2, 3, 4, 5, 6, 7, 8] } },
    ],
  },
  {
    id: 'support-csat',
    title: 'Support satisfaction',
    description: 'Sent after a support ticket is resolved: how satisfied the customer is with the help they got.',
    kind: 'csat',
    privacy: 'identified',
    questions: [
      { id: 'q_csat', type: 'csat', text: 'How satisfied are you with the help you received?', required: true },
      { id: 'q_resolved', type: 'single_choice', text: 'Was your problem solved?', required: true, options: [{ value: 'yes', label: 'Yes' }, { value: 'partly', label: 'Partly' }, { value: 'no', label: 'No' }] },
      { id: 'q_comment', type: 'text', text: 'Anything we could have done better?', required: false },
    ],
  },
  {
    id: 'partner-satisfaction',
    title: 'Partner satisfaction',
    description: 'How your channel partners find working with you: the program, the support, the rewards.',
    kind: 'partner',
    privacy: 'confidential',
    questions: [
      { id: 'q_nps', type: 'likelihood', text: 'How likely are you to recommend partnering with us to another company?', required: true },
      { id: 'q_program', type: 'agreement', text: 'The partner program makes it worth my while to sell your products.', required: true, driver: 'recognition' },
      { id: 'q_support', type: 'agreement', text: 'When I need help from your team, I get it quickly.', required: true, driver: 'management' },
      { id: 'q_enablement', type: 'agreement', text: 'I have the training and material I need to sell well.', required: true, driver: 'competence' },
      {
        id: 'q_value',
        type: 'multiple_choice',
        text: 'Which parts of the program matter most to you?',
        required: false,
        options: [
          { value: 'margins', label: 'Margins and incentives' },
          { value: 'rewards', label: 'Rewards and recognition' },
          { value: 'training', label: 'Training and certification' },
          { value: 'leads', label: 'Shared leads' },
          { value: 'support', label: 'Technical support' },
        ],
      },
      { id: 'q_comment', type: 'text', text: 'What should we change first?', required: false },
    ],
  },
];

export const templateById = (id: string) => SURVEY_TEMPLATES.find((t) => t.id === id);
