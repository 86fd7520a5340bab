import { z } from 'zod';

export const ZVendorIdParam = z.object({ id: z.string().regex(/^fvn_[0-9a-z]{26}$/, 'must be a fulfilment vendor id (fvn_…)') }).strict();
export const ZCallbackParams = z.object({ vendorId: ZVendorIdParam.shape.id }).strict();

const ZUrl = z.string().trim().min(1).max(2000).describe('where orders are sent (POST, signed); an http(s) URL; in production, no private addresses unless allowPrivateNetwork');

export const ZCreateVendor = z
  .object({
    name: z.string().trim().min(1).max(120),
    url: ZUrl,
    allowPrivateNetwork: z.boolean().default(false).describe('lets the vendor URL reach loopback, link-local and private addresses in production'),
  })
  .strict();
export type TCreateVendor = z.infer<typeof ZCreateVendor>;
export const ZUpdateVendor = z.object({ name: ZCreateVendor.shape.name, url: ZUrl, allowPrivateNetwork: z.boolean() }).partial().strict();
export type TUpdateVendor = z.infer<typeof ZUpdateVendor>;

export const ZVendor = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    allowPrivateNetwork: z.boolean(),
    callbackUrl: z.string().describe('where the vendor reports each order’s status (signed with the same secret)'),
    rewards: z.array(z.object({ id: z.string(), title: z.string() })).describe('the rewards whose orders go to this vendor'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'FulfilmentVendor' });
export type TVendor = z.infer<typeof ZVendor>;
export const ZVendorWithSecret = ZVendor.extend({ secret: z.string().describe('shown once: verify Tandem’s orders and sign callbacks with it') }).meta({ id: 'FulfilmentVendorWithSecret' });

export const CALLBACK_STATUSES = ['processing', 'shipped', 'delivered', 'failed'] as const;
export const ZCallback = z
  .object({
    id: z.string().trim().min(1).max(200).describe('the callback’s own id: one already received is refused (409)'),
    orderId: z.string().regex(/^red_[0-9a-z]{26}$/, 'must be an order id (red_…)'),
    status: z.enum(CALLBACK_STATUSES),
    carrier: z.string().trim().min(1).max(100).optional(),
    trackingNumber: z.string().trim().min(1).max(200).optional(),
    trackingUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    reason: z.string().trim().min(1).max(500).optional().describe('why the order failed'),
  })
  .strict()
  .meta({ id: 'FulfilmentCallback' });
export type TCallback = z.infer<typeof ZCallback>;
export const ZCallbackAccepted = z.object({ orderId: z.string(), status: z.string() }).meta({ id: 'FulfilmentCallbackAccepted' });
