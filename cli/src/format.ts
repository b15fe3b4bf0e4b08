import type { Author, DecodeResult, MessageChange } from '@warren/shared/envelope';

/**
 * How a chat author reads in a line: `alice`, `bot build-bot`, or for a message published without
 * `user_id` `unverified (no user_id)`: nobody vouches for it, so it never reads as Warren's own (AMQP.md).
 */
export function authorLabel(author: Author): string {
  if (author === null) return 'unverified (no user_id)';
  return author.kind === 'user' ? author.username : `bot ${author.name}`;
}

/** Text cut to one line of at most `max` characters, so a long or multi-line message keeps a listing readable. */
export function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A message id short enough for a line: its last group of 12 hex digits. Not the first: a UUIDv7
 * begins with its time, so the messages of one minute share their first digits.
 */
export function shortId(id: string): string {
  return id.slice(-12);
}

/**
 * The line of an edit, a delete or a reaction: what changed, and which message (its full id, which
 * `warren send --reply-to` and history take). Edits and deletes carry their own time; a reaction
 * carries none, so it shows when the tail received it.
 */
export function changeLine(change: MessageChange, receivedAt: Date): string {
  switch (change.kind) {
    case 'edit':
      return `${change.at}  ✎ edited ${change.messageId}: ${change.content}`;
    case 'delete':
      return `${change.at}  ✗ message ${change.messageId} deleted`;
    case 'reaction':
      return `${receivedAt.toISOString()}  ${change.present ? '+' : '−'}${change.emoji} ${change.user.username} on ${change.messageId}`;
  }
}

/**
 * One line for a delivery decoded by the envelope rules, as `tail` prints it: a chat message with
 * its time and author (and the message it replies to), an edit, a delete or a reaction as what it
 * changes, another event with its data, or a refusal with the code the persister dead-letters it with.
 */
export function deliveryLine(result: DecodeResult, receivedAt: Date, messageId: string | undefined): string {
  if (!result.ok) {
    return `${receivedAt.toISOString()}  refused ${messageId ?? '(no message_id)'}: ${result.code}: ${result.detail} (the persister dead-letters it)`;
  }
  if (result.kind === 'event') {
    if (result.change !== null) return changeLine(result.change, receivedAt);
    return `${receivedAt.toISOString()}  event ${result.event} ${JSON.stringify(result.data)}`;
  }
  const { message } = result;
  const type = message.type === 'text' ? '' : ` [${message.type}]`;
  const reply = message.reply_to === null ? '' : ` ↳ reply to ${shortId(message.reply_to)}`;
  return `${message.created_at}  ${authorLabel(message.author)}${type}${reply}: ${message.content}`;
}

/**
 * A delivery as one JSON object, shaped like the ws-gateway's frames (WEBSOCKET.md) so scripts can
 * read both alike: `{ type: "message", session_id, message }`, `{ type: "event", session_id, event,
 * data }`, and for what breaks the rules `{ type: "refused", session_id, message_id, code, detail }`.
 */
export function deliveryJson(result: DecodeResult, sessionId: string, messageId: string | undefined): object {
  if (!result.ok) {
    return {
      type: 'refused',
      session_id: sessionId,
      message_id: messageId ?? null,
      code: result.code,
      detail: result.detail,
    };
  }
  if (result.kind === 'event') {
    return { type: 'event', session_id: result.sessionId, event: result.event, data: result.data };
  }
  return { type: 'message', session_id: result.sessionId, message: result.message };
}
