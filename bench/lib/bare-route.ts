// Baseline of scenario 4, in a process of its own like chat-api: an express route that validates
// nothing and publishes the same bytes chat-api would, with a publisher confirm, then answers 202.
import { randomUUID } from 'node:crypto';
import { encodeChatMessage, NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import amqp from 'amqplib';
import express from 'express';

const publisher = process.env.PUBLISHER ?? '';
const author = { kind: 'user' as const, id: process.env.AUTHOR_ID ?? '', username: process.env.AUTHOR_NAME ?? '' };
const connection = await amqp.connect(process.env.AMQP_URL ?? '');
const channel = await connection.createConfirmChannel();
const app = express();
app.use(express.json({ limit: '64kb' }));
app.get('/readyz', (_req, res) => {
  res.end('ok');
});
app.post('/api/sessions/:id/messages', (req, res) => {
  const message = {
    id: randomUUID(),
    session_id: req.params.id,
    author,
    type: 'text',
    content: String(req.body.content),
    extra: null,
    created_at: new Date().toISOString(),
    reply_to: null,
    ...NEW_MESSAGE_STATE,
  };
  const out = encodeChatMessage({ publisher, message });
  channel.publish(out.exchange, '', out.content, { ...out.options }, (err) => {
    if (err) res.status(503).end();
    else res.status(202).json({ message });
  });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  void connection.close().finally(() => process.exit(0));
});
