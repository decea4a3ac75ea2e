// One broker container of a docker cluster: what the cluster's start runs for each of its brokers
// and what a membership fault runs for a broker added mid-run, so an added broker has the same
// image, settings, clock and filesystem as the others.
import { Wait } from "testcontainers";
import type { ClusterSpec } from "../spec/cluster.ts";
import { brokerConfig, brokerName, fakeClockEnv } from "./node-config.ts";
import { HarnessNodeContainer } from "./node-container.ts";
import { type NodeHandle, nodeHandle } from "./node-handle.ts";
import { nodeAddress } from "./subnet.ts";

/** What every broker of one cluster shares. */
export interface BrokerSite {
  runId: string;
  subnet: string;
  image: string;
  spec: ClusterSpec;
  /** KRaft: the storage's cluster id (KRAFT_CLUSTER_ID); empty in ZooKeeper mode. */
  kraftEnv: Record<string, string>;
  /** The line that says the JVM serves (cluster.ts upLine). */
  startedLine: RegExp;
  timeoutMs: number;
}

/** Starts broker `id` on its fixed address, its EXTERNAL listener on `port` of 127.0.0.1. */
export async function startBrokerNode(site: BrokerSite, id: number, port: number): Promise<NodeHandle> {
  const { runId, spec } = site;
  const address = nodeAddress(site.subnet, "broker", id);
  const container = new HarnessNodeContainer(site.image);
  if (spec.faultfs) container.withFaultfs(spec.writebackMs);
  const c = await container
    .withNode(runId, brokerName(id), "broker")
    .withAddress(address)
    .withNodeConfig(brokerConfig(spec, id, port), spec.brokerJvmOpts)
    .withEnvironment(fakeClockEnv(spec))
    .withEnvironment(site.kraftEnv)
    .withLoopbackPort(port)
    .withWaitStrategy(Wait.forLogMessage(site.startedLine).withStartupTimeout(site.timeoutMs))
    .start();
  return nodeHandle(
    { name: brokerName(id), role: "broker", id, containerId: c.getId(), externalPort: port, address, faultfs: spec.faultfs },
    runId,
  );
}
