// Every connection of one kafkajs client, through kafkajs's `socketFactory`, so the harness can kill
// the client as the kernel kills a process's sockets: all at once, nothing more written on any of
// them (no LeaveGroup, no commit), and no new connection afterwards. kafkajs goes on running in
// the process until it is stopped, but whatever it tries fails here, before it reaches a broker.
import net from "node:net";
import tls from "node:tls";
import type { ISocketFactory } from "kafkajs";

const KEEP_ALIVE_DELAY_MS = 60_000; // kafkajs's own default factory's

export class SocketGate {
  private readonly open = new Set<net.Socket>();
  private closed = false;

  /** Whether kill() ran. */
  get killed(): boolean {
    return this.closed;
  }

  /** Connections open now (for tests). */
  get size(): number {
    return this.open.size;
  }

  /** kafkajs's default factory, every socket tracked; after kill(), a socket that fails at once. */
  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (this.closed) {
      const dead = new net.Socket();
      // Failed on the next tick, as a refused connection is: kafkajs has set its handlers by then.
      process.nextTick(() => dead.destroy(new Error("connection refused: this client was killed")));
      return dead;
    }
    const socket = ssl
      ? tls.connect({ host, port, ...(!net.isIP(host) ? { servername: host } : {}), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    this.open.add(socket);
    socket.once("close", () => this.open.delete(socket));
    return socket;
  };

  /** Drops every connection now (no further byte is written) and refuses every later one. Each
   *  socket is destroyed with an error: kafkajs listens for `error` (not `close`), and then fails the
   *  requests in flight and reconnects, here refused, instead of writing to a dead socket. */
  kill(): void {
    this.closed = true;
    for (const s of this.open) s.destroy(new Error("connection dropped: this client was killed"));
    this.open.clear();
  }
}
