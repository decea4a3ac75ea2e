// ZooKeeper: the spec kind "zk" kills, pauses or isolates ZooKeeper nodes (a random one, the leader,
// a minority or a majority). It generates faults of the process, pause and network families, which
// act on them; their targets put them in the metadata quorum's domain. ZooKeeper mode only.
import fc from "fast-check";
import type { ScheduledSpec, TargetSpec } from "../types.ts";
import type { FaultFamily } from "./family.ts";

export const zookeeperFamily: FaultFamily = {
  name: "zookeeper",
  kinds: ["zk"],
  arbitraries({ kinds }) {
    if (!kinds.has("zk")) return [];
    const zk = fc.constantFrom<TargetSpec>({ kind: "zk-random" }, { kind: "zk-leader" }, { kind: "zk-minority" }, { kind: "zk-majority" });
    return [
      fc.oneof(
        zk.map((targets): ScheduledSpec => ({ fault: "kill", targets })),
        zk.map((targets): ScheduledSpec => ({ fault: "pause", targets })),
        zk.map((targets): ScheduledSpec => ({ fault: "partition", topology: "isolate", targets })),
      ),
    ];
  },
  faults: [],
  domains: () => [],
  act: {},
};
