import nodemailer from 'nodemailer';
import type { EmailsTable } from './comms.tables.js';

export interface Mailer {
  /** 'smtp' when SMTP_URL is set, else 'stored' (emails stay in the database, shown on Sent mail) */
  mode: 'smtp' | 'stored';
  send(e: EmailsTable): Promise<'sent' | 'stored'>;
  close(): void;
}

/**
 * Email over SMTP with nodemailer, or no transport at all (the demo works offline). The
 * Message-ID is the email's own id, the same on every attempt, so a receiver can drop repeats;
 * List-Unsubscribe and List-Unsubscribe-Post make the unsubscribe one click (RFC 8058).
 */
export function createMailer(opts: { smtpUrl?: string; from: string; publicUrl: string }): Mailer {
  const host = new URL(opts.publicUrl).hostname || 'tandem.local';
  if (!opts.smtpUrl) return { mode: 'stored', send: async () => 'stored', close() {} };
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    mode: 'smtp',
    async send(e) {
      await transport.sendMail({
        from: opts.from,
        to: e.to_address,
        subject: e.subject,
        text: e.text,
        html: e.html,
        messageId: `<${e.id}@${host}>`,
        headers: { 'List-Unsubscribe': `<${e.unsubscribe_url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      return 'sent';
    },
    close: () => transport.close(),
  };
}
