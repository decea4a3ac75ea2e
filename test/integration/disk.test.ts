// The disk family on a real cluster (needs Docker), one KRaft cluster with every broker's log
// directory on the fault-injecting filesystem (images/kafka/faultfs.py):
// - the layer alone, mounted a second time inside a broker's container: writes, fsync, rename,
//   mmap, truncate and locks pass through; "full" gives ENOSPC, "failed" EIO;
// - disk-full on a follower under acks=all, min ISR 2: the broker's next write fails, Kafka takes
//   its only log directory offline and halts; the ISR shrinks to the other two, writes go on;
//   free-disk starts it again, it catches up, and nothing acknowledged is lost;
// - corrupt-segment flips a bit in a follower's active segment while it is down; Kafka finds the
//   bad batch when it recovers the segment at start, truncates it, and fetches it again from the
//   leader. The measured effects are what the brokers logged, their halts and ISR returns.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createTopic, startCluster } from "../../harness/cluster/cluster.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { newKafka } from "../../harness/kafkajs/factory.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { type ClusterProbe, clusterProbe } from "../../harness/nemesis/probe.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { waitFor } from "../../harness/util/wait.ts";

const TOPIC = "disk";
const COUNT = 300;
let cluster: Cluster;
let probe: ClusterProbe;
let nemesis: ClusterNemesis;
const log = (m: string) => console.error(`[disk] ${m}`);

beforeAll(async () => {
  cluster = await startCluster({ metadata: "kraft", brokers: 3, controllers: 3, combined: true, faultfs: true }, { progress: log });
  probe = clusterProbe(cluster);
  await createTopic(cluster.bootstrap(), TOPIC, { partitions: 1, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
  nemesis = clusterNemesis(cluster, {
    recorder: createRecorder(),
    rng: seededRng(11),
    probe,
    watch: { topics: [TOPIC] },
    healOnShutdown: false,
  });
}, 180_000);

afterAll(async () => {
  await nemesis?.close();
  await cluster?.stop();
});

/** Produces through the brokers but `down` (a halted broker in the bootstrap list can fail the
 *  client's connect before it tries another). */
async function produce(n: number, from = 0, down?: string) {
  const bootstrap = cluster.brokers.flatMap((b, i) => (b.name === down ? [] : [cluster.bootstrap()[i]!]));
  const producer = newKafka(bootstrap, "disk").producer({ allowAutoTopicCreation: false, idempotent: true });
  await producer.connect();
  try {
    const messages = Array.from({ length: n }, (_, i) => ({ partition: 0, value: `v${from + i}`.padEnd(100, ".") }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

async function consumeAll(count = COUNT): Promise<string[]> {
  const kafka = newKafka(cluster.bootstrap(), "disk-read");
  const consumer = kafka.consumer({ groupId: `disk-${Date.now()}` });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${got.length} of ${count}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString().replace(/\.+$/, ""));
        if (got.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

const follower = async (n = 1) => {
  const p = (await probe.metadata({ topics: [TOPIC] })).partitions[0]!;
  return cluster.brokerById(p.replicas.filter((r) => r !== p.leader)[n - 1]!);
};

// The layer alone, on its own mount in a broker's container (python3, as the image has it).
const LAYER_CHECK = String.raw`
import errno, fcntl, mmap, os, subprocess, time
subprocess.Popen(["python3", "/opt/kafka/faultfs.py", "/tmp/fs-store", "/tmp/fs", "/tmp/fs-ctl"])
for _ in range(100):
    if " /tmp/fs fuse" in open("/proc/mounts").read(): break
    time.sleep(0.05)
m, ctl = "/tmp/fs", "/tmp/fs-ctl"
def state(w):
    open(ctl + "/state", "w").write(w)
    for _ in range(50):
        if open(ctl + "/applied").read().strip() == w: return
        time.sleep(0.05)
    raise SystemExit("not applied: " + w)
def fails(code, fn):
    try: fn()
    except OSError as e:
        assert e.errno == code, e
        return
    raise AssertionError("no " + errno.errorcode[code])
os.makedirs(m + "/t-0")
with open(m + "/t-0/a.log", "wb") as f: f.write(b"x" * 300000); f.flush(); os.fsync(f.fileno())
fd = os.open(m + "/t-0", os.O_RDONLY); os.fsync(fd); os.close(fd)
os.rename(m + "/t-0/a.log", m + "/t-0/b.log")
assert open(m + "/t-0/b.log", "rb").read() == b"x" * 300000
with open(m + "/t-0/i.index", "w+b") as f:
    f.truncate(4096); mm = mmap.mmap(f.fileno(), 4096); mm[0:4] = b"abcd"; mm.flush(); mm.close()
with open(m + "/t-0/i.index", "r+b") as f: f.truncate(100)
assert os.path.getsize(m + "/t-0/i.index") == 100 and open(m + "/t-0/i.index", "rb").read(4) == b"abcd"
fcntl.lockf(open(m + "/.lock", "w"), fcntl.LOCK_EX | fcntl.LOCK_NB)
print("passthrough")
state("full")
assert os.statvfs(m).f_bavail == 0
fails(errno.ENOSPC, lambda: open(m + "/t-0/b.log", "ab", buffering=0).write(b"y"))
fails(errno.ENOSPC, lambda: open(m + "/t-0/new.log", "wb"))
with open(m + "/t-0/b.log", "r+b", buffering=0) as f: f.write(b"z")
print("full")
state("failed")
fails(errno.EIO, lambda: open(m + "/t-0/b.log", "rb"))
fails(errno.EIO, lambda: os.listdir(m))
print("failed")
state("ok")
assert open(m + "/t-0/b.log", "rb").read(2) == b"zx"
print("ok again")
import ctypes; ctypes.CDLL("libc.so.6").umount2(m.encode(), 2)  # the image has no umount
`;

// The power-loss mechanism alone, on its own mount: what was fsynced survives a cut, what was not is
// gone, for appends, for an mmap'd index forced with msync (MappedByteBuffer.force), and for
// checkpoint files written to a temporary name and renamed (synced and not); the layer's record of
// the cut counts the record batches cut off a segment.
const POWER_CHECK = String.raw`
import ctypes, json, mmap, os, struct, subprocess, time
m, store, ctl = "/tmp/pw", "/tmp/pw-store", "/tmp/pw-ctl"
libc = ctypes.CDLL("libc.so.6")
def mount(writeback_ms=0):
    env = dict(os.environ, FAULTFS_WRITEBACK_MS=str(writeback_ms))
    p = subprocess.Popen(["python3", "/opt/kafka/faultfs.py", store, m, ctl], env=env)
    for _ in range(100):
        if " /tmp/pw fuse" in open("/proc/mounts").read(): return p
        time.sleep(0.05)
    raise SystemExit("no mount")
def cut(p):
    open(ctl + "/state", "w").write("cut")
    for _ in range(100):
        if os.path.exists(ctl + "/applied") and open(ctl + "/applied").read().strip() == "cut": break
        time.sleep(0.05)
    report = json.load(open(ctl + "/cut.json"))
    p.kill(); p.wait(); libc.umount2(m.encode(), 2)  # the process dies with the power, as the node does
    open(ctl + "/state", "w").write("ok")
    return report
def sync(path):
    fd = os.open(path, os.O_RDONLY); os.fsync(fd); os.close(fd)
def batch(base, n):  # a record batch header (magic 2) with n records, and a body of 100 bytes
    body = bytes(100)
    return struct.pack(">qiibIhiqqqhii", base, 49 + len(body), 0, 2, 0, 0, n - 1, 0, 0, -1, -1, -1, n) + body
p = mount()
os.makedirs(m + "/t-0"); sync(m)
with open(m + "/t-0/0.log", "wb") as f:
    f.write(batch(0, 3)); f.flush(); os.fsync(f.fileno())
    f.write(batch(3, 2) + batch(5, 4)); f.flush()
with open(m + "/t-0/0.index", "w+b") as f:
    f.truncate(8192); os.fsync(f.fileno())
    mm = mmap.mmap(f.fileno(), 8192); mm[0:4] = b"SYNC"; mm.flush(); mm[4096:4100] = b"LOST"; mm.close()
def checkpoint(text, synced):
    with open(m + "/cp.tmp", "w") as f:
        f.write(text); f.flush()
        if synced: os.fsync(f.fileno())
    os.replace(m + "/cp.tmp", m + "/cp")
    if synced: sync(m)
checkpoint("v1", True)
checkpoint("v2", False)
with open(m + "/unsynced", "wb") as f: f.write(b"x" * 100)
r = cut(p)
p = mount()
log = open(m + "/t-0/0.log", "rb").read()
idx = open(m + "/t-0/0.index", "rb").read()
seg = [f for f in r["files"] if f["path"] == "t-0/0.log"][0]
print(json.dumps({
    "log": len(log), "cutBatches": seg["batches"],
    "index": [len(idx), idx[0:4].decode(), idx[4096:4100].hex()],
    "checkpoint": open(m + "/cp").read(), "unsynced": os.path.exists(m + "/unsynced"),
    "names": [n["undo"] for n in r["names"]],
}))
p.kill(); p.wait(); libc.umount2(m.encode(), 2)
# With a writeback window of 300 ms, what was written longer ago than that survives without a sync.
p = mount(300)
with open(m + "/old", "wb") as f: f.write(b"o" * 100)
time.sleep(0.8)
with open(m + "/new", "wb") as f: f.write(b"n" * 100)
cut(p)
p = mount()
print(json.dumps({"writeback": [os.path.exists(m + "/old") and os.path.getsize(m + "/old"), os.path.exists(m + "/new")]}))
p.kill(); p.wait(); libc.umount2(m.encode(), 2)
`;

describe("disk faults on a real cluster", () => {
  it("power loss, the layer alone: fsynced data survives a cut, unsynced data is gone (appends, mmap'd and forced pages, checkpoint renames)", async () => {
    const r = await cluster.brokers[1]!.exec(["python3", "-c", POWER_CHECK]);
    const lines = r.output.trim().split("\n");
    const got = JSON.parse(lines.at(-2)!);
    log(JSON.stringify(got));
    // The segment keeps its synced batch only; the layer counted the two batches (6 records) it cut.
    expect(got.log).toBe(161);
    expect(got.cutBatches).toMatchObject({ count: 2, records: 6, firstOffset: 3, lastOffset: 8, unparsedBytes: 0 });
    // The index's forced page survives, the page dirtied after the force is zeros again.
    expect(got.index).toEqual([8192, "SYNC", "00000000"]);
    // The synced checkpoint survives the later one, renamed over it without a sync.
    expect(got.checkpoint).toBe("v1");
    // A file created after the last sync of anything is gone, name and all.
    expect(got.unsynced).toBe(false);
    expect(got.names).toEqual(["remove", "rename", "restore", "remove"]);
    // The writeback window: the file written 800 ms before the cut survives whole, the one just before it does not.
    expect(JSON.parse(lines.at(-1)!)).toEqual({ writeback: [100, false] });
  }, 60_000);

  it("the layer passes through what Kafka needs, and gives ENOSPC when full and EIO when failed", async () => {
    const r = await cluster.brokers[0]!.exec(["python3", "-c", LAYER_CHECK]);
    expect(r.output.trim().split("\n")).toEqual(["passthrough", "full", "failed", "ok again"]);
  }, 60_000);

  it("disk-full on a follower under acks=all min ISR 2: it halts, the ISR shrinks, writes go on; free-disk brings it back; nothing lost", async () => {
    await produce(COUNT);
    const f = await follower();
    const r = await nemesis.invoke({ fault: "disk-full", targets: { kind: "nodes", names: [f.name] } });
    // Writes keep coming once the cluster has fenced the halted follower: while the brokers'
    // metadata still lists it, kafkajs may pick it for the producer id and give up on its refused
    // connection (seen in a fresh-machine run).
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500)))
      if (!(await probe.metadata({ avoid: new Set([f.name]), topics: [] })).brokers.includes(f.id)) break;
    await produce(COUNT, COUNT, f.name);
    log(JSON.stringify(r.value, null, 1));
    expect(r.type).toBe("ok");
    const [e] = r.value.effects as { haltedAfterMs?: number; offlineAfterMs?: number; logged: string[] }[];
    expect(e!.haltedAfterMs ?? e!.offlineAfterMs).toBeGreaterThanOrEqual(0);
    expect(e!.logged.join("\n")).toMatch(/KafkaStorageException|in dir \/data\/kafka/);
    const isr = (await probe.metadata({ topics: [TOPIC] })).partitions[0]!.isr;
    expect(isr).not.toContain(f.id);
    const u = await nemesis.invoke(r.undo!);
    log(JSON.stringify(u.value));
    expect(u).toMatchObject({ type: "ok", value: { restarted: [f.name] } });
    // Back: in the ISR again (and serving: a client that meets it while it starts gets its
    // connections closed and gives up).
    let back = false;
    for (const deadline = Date.now() + 60_000; !back && Date.now() < deadline; await new Promise((r) => setTimeout(r, 500)))
      back = (await probe.metadata({ topics: [TOPIC] })).partitions[0]!.isr.includes(f.id);
    expect(back).toBe(true);
    expect((await consumeAll(2 * COUNT)).sort()).toEqual(Array.from({ length: 2 * COUNT }, (_, i) => `v${i}`).sort());
  }, 180_000);

  it("corrupt-segment on a follower: recovery finds the bad batch, the follower refetches it, nothing is lost", async () => {
    const f = await follower(2);
    const r = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: [f.name] } });
    log(JSON.stringify(r.value, null, 1));
    expect(r.type).toBe("ok");
    const [c] = r.value.corrupted as { path: string; field: string; offset: number }[];
    expect(c!.path).toMatch(new RegExp(`/data/kafka-store/${TOPIC}-0/\\d{20}\\.log$`));
    const [e] = r.value.effects as { backInIsrMs?: number; logged: string[] }[];
    expect(e!.backInIsrMs).toBeGreaterThanOrEqual(0);
    expect(e!.logged.join("\n")).toMatch(/invalid|corrupt/i);
    expect((await consumeAll(2 * COUNT)).sort()).toEqual(Array.from({ length: 2 * COUNT }, (_, i) => `v${i}`).sort());
  }, 180_000);

  it("power-loss of every broker at once under acks=all: the unsynced tail is cut off every replica, and acknowledged writes are gone", async () => {
    await createTopic(cluster.bootstrap(), "power", { partitions: 1, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
    const producer = newKafka(cluster.bootstrap(), "power").producer({ allowAutoTopicCreation: false, idempotent: true });
    await producer.connect();
    await producer.send({ topic: "power", acks: -1, messages: Array.from({ length: 200 }, (_, i) => ({ partition: 0, value: `p${i}` })) });
    await producer.disconnect();
    const names = cluster.brokers.map((b) => b.name);
    const r = await nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names } });
    log(JSON.stringify(r.value, null, 1));
    expect(r.type).toBe("ok");
    const lost = r.value.lost as Record<string, { partitions: Record<string, { records: number }> }>;
    // Each replica lost the 200 acknowledged records: Kafka had not synced the active segment.
    for (const n of names) expect(lost[n]!.partitions["power-0"]?.records).toBe(200);
    expect(r.value.wholeIsrCut).toContain("power-0");
    const u = await nemesis.invoke(r.undo!);
    expect(u.type).toBe("ok");
    const offsets = await waitFor(
      "power-0 led again",
      async () => {
        const admin = newKafka(cluster.bootstrap(), "power-admin").admin();
        await admin.connect();
        try {
          return await admin.fetchTopicOffsets("power");
        } finally {
          await admin.disconnect();
        }
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    // The log ends where the synced part ended: the acknowledged records are not there.
    expect(Number(offsets[0]!.high)).toBe(0);
  }, 240_000);
});
