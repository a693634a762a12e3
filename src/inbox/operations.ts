import { ConflictError, InvalidInputError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { TerminalRecord } from '../terminal/schema.js';
import type { MessageRecord, SendMessageInput } from './schema.js';

export function senderLabel(sender: TerminalRecord | undefined): string {
  if (!sender) return 'a human operator';
  return `terminal ${sender.id} (${sender.profile ?? sender.provider})`;
}

/**
 * Queues a message: stored first, then delivered when the receiver can take it. With no `to`,
 * it goes to the terminal that started the sender.
 */
export async function sendMessage(
  rt: Runtime,
  input: SendMessageInput,
  kind: MessageRecord['kind'] = 'message',
  fromLabel?: string,
): Promise<MessageRecord> {
  const sender = input.from ? await rt.terminals.get(input.from) : undefined;
  const to = input.to ?? sender?.callerTerminalId;
  if (!to) {
    throw new InvalidInputError(
      sender
        ? `terminal ${sender.id} was not started by another terminal, so there is no default receiver: give \`to\` (see list_terminals)`
        : 'give `to`: the id of the terminal that should receive the message',
    );
  }
  if (sender && to === sender.id) throw new InvalidInputError('a terminal cannot send a message to itself: pick another `to`');
  const receiver = await rt.terminals.get(to);
  if (receiver.status === 'exited') {
    throw new ConflictError(`terminal ${to} has exited and cannot receive messages: pick a live terminal (see list_terminals)`);
  }
  const message = await rt.messages.insert({
    from: sender?.id ?? null,
    fromLabel: fromLabel ?? senderLabel(sender),
    to,
    kind,
    body: input.message,
    at: rt.clock(),
  });
  await rt.bus.publish('message.queued', { sessionId: receiver.sessionId, terminalId: to }, { messageId: message.id, from: message.from });
  rt.inbox.kick(to);
  return message;
}
