// Healing ssh hosts by hand (`kafka-harness clean --ssh <inventory>`), for when a run could not do
// it itself (the control machine lost power, the process was killed with -9): on every host, every
// iptables chain of the harness's is removed; in mode install every process a run started (a pid
// file under INSTALL_ROOT) is resumed and killed and the run folders are removed; in mode existing
// the user's process is resumed, and started again if it is not running. Nothing else is touched.
import type { SshInventory } from "../../../spec/ssh-inventory.ts";
import { existingOf } from "../../../spec/ssh-inventory.ts";
import { messageOf } from "../../../util/errors.ts";
import { asRoot, q, removeAllChainsCommand, signalCommand, stateCommand, stateOf } from "./commands.ts";
import { INSTALL_ROOT, namedHosts } from "./layout.ts";
import { connect, type SshLog } from "./session.ts";

/** Install mode's leftovers on a host: every run folder's process resumed and killed, the folders
 *  removed (only kh-* folders under INSTALL_ROOT: the harness's own). Pure. */
export const removeInstallsCommand = (): string =>
  `for f in ${INSTALL_ROOT}/kh-*/node.pid; do [ -f "$f" ] || continue; p=$(cat "$f"); kill -CONT $p 2>/dev/null; kill -KILL $p 2>/dev/null; done; rm -rf ${INSTALL_ROOT}/kh-*; echo removed`;

export interface HostHealed {
  node: string;
  host: string;
  /** What was done, or why it could not be. */
  done: string[];
  ok: boolean;
}

export async function healHosts(inv: SshInventory, log: SshLog): Promise<HostHealed[]> {
  return Promise.all(
    namedHosts(inv).map(async ({ node, name }): Promise<HostHealed> => {
      const user = node.user ?? inv.user;
      const done: string[] = [];
      try {
        const s = await connect(
          { name, host: node.host, port: node.port ?? inv.port, user, ...(inv.keyFile ? { keyFile: inv.keyFile } : {}) },
          log,
        );
        try {
          await s.run(asRoot(removeAllChainsCommand(), user), { timeoutMs: 30_000 });
          done.push("the harness's iptables chains removed");
          if (inv.mode === "install") {
            await s.run(asRoot(removeInstallsCommand(), user), { timeoutMs: 120_000 });
            done.push(`its processes stopped and ${INSTALL_ROOT}/kh-* removed`);
          } else {
            const e = existingOf(inv, node);
            const pid = { command: e.pid! };
            await s.exec(asRoot(signalCommand(pid, "CONT"), user), { timeoutMs: 30_000 });
            const state = stateOf((await s.exec(asRoot(stateCommand(pid), user), { timeoutMs: 30_000 })).stdout);
            if (state === "exited") {
              await s.run(e.start!, { timeoutMs: 120_000 });
              done.push(`Kafka was not running: started (${q(e.start!)})`);
            } else done.push("Kafka resumed (SIGCONT) and running");
          }
        } finally {
          s.close();
        }
        return { node: name, host: node.host, done, ok: true };
      } catch (err) {
        return { node: name, host: node.host, done: [...done, messageOf(err)], ok: false };
      }
    }),
  );
}
