// Healing ssh hosts by hand (`kafka-harness clean --ssh <inventory>`), for when a run could not do
// it itself (the control machine lost power, the process was killed with -9): on every host, every
// iptables chain of the harness's is removed; in mode install every process a run started (a pid
// file under INSTALL_ROOT) is resumed and killed and the run folders are removed; in mode existing
// the user's process is resumed, and started again if it is not running. Nothing else is touched.
import { existingOf, type SshInventory } from "../../../spec/ssh-inventory.ts";
import { messageOf } from "../../../util/errors.ts";
import { asRoot, q, removeAllChainsCommand } from "./commands.ts";
import { INSTALL_ROOT, loginOf, namedHosts } from "./layout.ts";
import { sshNode } from "./node.ts";
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
    namedHosts(inv).map(async ({ node, name, role, id }): Promise<HostHealed> => {
      const login = loginOf(inv, node, name);
      const user = login.user;
      const done: string[] = [];
      try {
        const s = await connect(login, log);
        try {
          await s.run(asRoot(removeAllChainsCommand(), user), { timeoutMs: 30_000 });
          done.push("the harness's iptables chains removed");
          if (inv.mode === "install") {
            await s.run(asRoot(removeInstallsCommand(), user), { timeoutMs: 120_000 });
            done.push(`its processes stopped and ${INSTALL_ROOT}/kh-* removed`);
          } else {
            // The user's Kafka as a run drives it: resumed (no pid is no error here), started if down.
            const e = existingOf(inv, node);
            const n = sshNode({
              name,
              role,
              id,
              host: node.host,
              session: s,
              process: { mode: "existing", start: e.start!, pid: e.pid! },
              commandTimeoutMs: 120_000,
            });
            await n.unpause().catch(() => undefined);
            if ((await n.state()) === "exited") {
              await n.start();
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
