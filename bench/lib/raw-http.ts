/**
 * A lean HTTP/1.1 keep-alive client for the load generator: one net.Socket per connection, the request
 * written as one buffer, the answer parsed just far enough (status line, content-length). node:http's
 * client costs several times more CPU per request than a server answering it, so on a 2-core machine it
 * would measure itself, not the server.
 */
import { connect, type Socket } from 'node:net';

interface Waiter {
  resolve(status: number): void;
}

export class RawConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: Waiter | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;

  constructor(url: string) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.hostHeader = u.host;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    const fail = () => {
      if (this.socket === socket) this.socket = undefined;
      this.buffer = Buffer.alloc(0);
      const w = this.waiter;
      this.waiter = undefined;
      w?.resolve(0);
    };
    socket.on('error', fail);
    socket.on('close', fail);
    this.socket = socket;
    return socket;
  }

  private parse(): void {
    if (!this.waiter) return;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const length = m ? Number(m[1]) : 0;
    const total = end + 4 + length;
    if (this.buffer.length < total) return;
    this.buffer = this.buffer.subarray(total);
    const w = this.waiter;
    this.waiter = undefined;
    if (/\r\nconnection:\s*close/i.test(head)) {
      this.socket?.destroy();
      this.socket = undefined;
    }
    w.resolve(status);
  }

  /** POSTs `body`; resolves with the status, 0 on a connection error or timeout. */
  post(path: string, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<number> {
    const socket = this.socket ?? this.open();
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += '\r\n';
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        socket.destroy();
        resolve(0);
      }, timeoutMs);
      this.waiter = {
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
