// Creates a run's Docker network on a /24 of its own (see subnet.ts), so every node can be given a
// fixed address. The subnet is one no network on the engine uses; another cluster starting at the
// same moment may take the same one first, and the engine then refuses it ("Pool overlaps"): the
// next free one is tried.
import { getContainerRuntimeClient } from "testcontainers";
import { RUN_LABEL } from "./labels.ts";
import { freeSubnet } from "./subnet.ts";

const ATTEMPTS = 8;
const OVERLAP = /overlap/i;

/** The subnets of every network on the engine (IPv4 and IPv6, as Docker lists them). */
export async function engineSubnets(): Promise<string[]> {
  const client = await getContainerRuntimeClient();
  const networks = await client.container.dockerode.listNetworks();
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s));
}

/** Creates the network named `runId`, labelled with it; returns its subnet. */
export async function createRunNetwork(runId: string): Promise<string> {
  const client = await getContainerRuntimeClient();
  const refused: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const subnet = freeSubnet(await engineSubnets(), refused);
    if (!subnet)
      throw new Error(`no free /24 left for network ${runId} (every one of 10.213.0.0/16 is in use or was refused: ${refused.join(", ")})`);
    try {
      await client.network.create({
        Name: runId,
        Labels: { [RUN_LABEL]: runId },
        CheckDuplicate: true,
        IPAM: { Driver: "default", Config: [{ Subnet: subnet }] },
      });
      return subnet;
    } catch (err) {
      if (!OVERLAP.test((err as Error).message ?? "") || attempt >= ATTEMPTS) throw err;
      refused.push(subnet);
    }
  }
}
