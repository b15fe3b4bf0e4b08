import WebSocket from 'ws';

/** A minimal STOMP 1.2 client over WebSocket: CONNECT, SUBSCRIBE (with receipt), MESSAGE bodies. */
export class StompClient {
  readonly #socket: WebSocket;
  #pending = new Map<string, () => void>();
  onMessage: (body: string) => void = () => {};

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  static async connect(url: string, vhost: string, login: string, passcode: string): Promise<StompClient> {
    // No permessage-deflate (which `ws` offers by default and Web-STOMP accepts): compressing every
    // frame would load both ends with work Warren's gateway, which never accepts it, does not do.
    const socket = new WebSocket(url, ['v12.stomp'], { perMessageDeflate: false });
    const client = new StompClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => {
        socket.send(frame('CONNECT', { 'accept-version': '1.2', host: vhost, login, passcode, 'heart-beat': '0,0' }));
      });
      socket.on('message', (data) => {
        const text = data.toString('utf8');
        // One WebSocket message may hold one or more STOMP frames, each ending with NUL.
        for (const raw of text.split('\0')) {
          const f = raw.replace(/^\n+/, '');
          if (!f) continue;
          const end = f.indexOf('\n\n');
          const command = f.slice(0, f.indexOf('\n'));
          if (command === 'MESSAGE') client.onMessage(f.slice(end + 2));
          else if (command === 'CONNECTED') resolve();
          else if (command === 'RECEIPT') {
            const id = /receipt-id:([^\n]*)/.exec(f)?.[1] ?? '';
            client.#pending.get(id)?.();
            client.#pending.delete(id);
          } else if (command === 'ERROR') reject(new Error(`STOMP ERROR: ${f.slice(0, 300)}`));
        }
      });
    });
    return client;
  }

  /** Subscribes and resolves once the broker confirmed it (RECEIPT). */
  subscribe(destination: string, id = '0'): Promise<void> {
    const receipt = `sub-${id}`;
    const done = new Promise<void>((resolve) => this.#pending.set(receipt, resolve));
    this.#socket.send(frame('SUBSCRIBE', { id, destination, ack: 'auto', receipt }));
    return done;
  }

  close(): void {
    this.#socket.close();
  }
}

function frame(command: string, headers: Record<string, string>, body = ''): string {
  return `${command}\n${Object.entries(headers)
    .map(([k, v]) => `${k}:${v}`)
    .join('\n')}\n\n${body}\0`;
}
