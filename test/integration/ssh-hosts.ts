// Stand-in hosts for the ssh kind: containers of the sshd image (harness/images/sshd-image.ts) on a
// network of the project's own (a run network: labelled, its own /24, removed by `clean` if a test
// crashes), each its own network namespace with NET_ADMIN for iptables, sshd published on
// 127.0.0.1 only. The harness reaches them over SSH alone, as root with a key made for the test.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StartedTestContainer } from "testcontainers";
import { removeLeftovers } from "../../harness/cluster/cleanup.ts";
import { newRunId } from "../../harness/cluster/labels.ts";
import { HarnessNodeContainer } from "../../harness/cluster/node-container.ts";
import { createRunNetwork } from "../../harness/cluster/run-network.ts";
import { nodeAddress } from "../../harness/cluster/subnet.ts";
import { ensureImages } from "../../harness/images/build-images.ts";
import { ensureSshdImage } from "../../harness/images/sshd-image.ts";
import { DEFAULT_KRAFT_KAFKA_VERSION } from "../../harness/spec/cluster.ts";
import { sshKeyPair } from "../fixtures/ssh-key.ts";

export interface StandInHost {
  name: string;
  /** Its address on the hosts' network (what another host's packets come from). */
  address: string;
  /** sshd, published on 127.0.0.1. */
  sshPort: number;
}

export interface StandInHosts extends AsyncDisposable {
  runId: string;
  hosts: StandInHost[];
  /** The private key root logs in with. */
  keyFile: string;
}

export async function startStandInHosts(count: number, dir: string, progress: (m: string) => void = () => {}): Promise<StandInHosts> {
  const kafka = await ensureImages(progress, DEFAULT_KRAFT_KAFKA_VERSION);
  const image = await ensureSshdImage(kafka.tag, progress);
  const key = sshKeyPair();
  const keyFile = join(dir, "id_ed25519");
  writeFileSync(keyFile, key.private, { mode: 0o600 });
  const runId = newRunId();
  const started: StartedTestContainer[] = [];
  const remove = () => removeLeftovers(runId).then(() => undefined);
  try {
    const subnet = await createRunNetwork(runId);
    const hosts: StandInHost[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `host${i}`;
      const address = nodeAddress(subnet, "broker", i);
      const c = await new HarnessNodeContainer(image)
        .withNode(runId, name, "broker")
        .withAddress(address)
        .withEnvironment({ KH_AUTHORIZED_KEY: key.public })
        .withExposedPorts(22)
        .start();
      started.push(c);
      hosts.push({ name, address, sshPort: c.getMappedPort(22) });
    }
    return { runId, hosts, keyFile, [Symbol.asyncDispose]: remove };
  } catch (err) {
    await remove().catch(() => undefined);
    throw err;
  }
}
