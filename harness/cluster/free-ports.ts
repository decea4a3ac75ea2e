// Picks free TCP ports on 127.0.0.1 for the brokers' EXTERNAL listeners. Fixed per run (not random
// per start) because a killed-and-restarted container would otherwise come back on a new port.
import { createServer } from "node:net";

function onePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Ports this process handed out already: clusters started side by side (a suite's parallel lanes)
 *  pick theirs before either publishes them, and the kernel may offer a just-closed port again. */
const handed = new Set<number>();

export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const p = await onePort();
    if (!handed.has(p)) ports.add(p);
  }
  for (const p of ports) handed.add(p);
  return [...ports];
}
