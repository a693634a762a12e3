import { z } from 'zod';
import { MAX_INPUT_BYTES, terminalIdSchema } from '../terminal/schema.js';

export const messageStates = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type MessageState = (typeof messageStates)[number];

const body = z
  .string()
  .min(1, 'the message is empty')
  .refine((t) => Buffer.byteLength(t) <= MAX_INPUT_BYTES, 'the message is larger than 1 MiB');

export const sendMessageSchema = z
  .object({
    to: terminalIdSchema.optional(),
    from: terminalIdSchema.optional(),
    message: body,
  })
  .strict();
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const inboxQuerySchema = z.object({
  direction: z.enum(['received', 'sent', 'all']).default('all'),
  state: z.enum(messageStates).optional(),
});

export interface MessageRecord {
  id: number;
  from: string | null;
  fromLabel: string;
  to: string;
  kind: 'message' | 'task' | 'notice' | 'report';
  body: string;
  state: MessageState;
  reason: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
