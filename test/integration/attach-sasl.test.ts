// Cluster kind "attach" on a cluster that asks for TLS and SASL (needs Docker): a docker cluster of
// the test's own whose client listener takes only SASL_SSL (PLAIN and SCRAM-SHA-256, a certificate
// made by openssl for this run: sasl-cluster.ts), attached by its bootstrap address with the
// command line's security flags (--tls-ca, --sasl-*), as a team would. Every connection is TLS and
// authenticates: the clients', the final reads', the harness's own metadata requests that resolve
// the "leader of t-0" target and watch the failover. Expected: with a hook that pauses the leader,
// valid, the fault applied and effective; the password nowhere in the stored spec; the topic
// deleted at the end. Then @platformatic/kafka over PLAIN with the password inline (stored as
// ***): valid as well.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAdmin } from "../../harness/kafkajs/factory.ts";
import { executeRun } from "../../harness/run/runner.ts";
import { withSecurityFlags } from "../../harness/spec/security.ts";
import type { TestSpecInput } from "../../harness/spec/test-spec.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { pauseHookScript, pauseLeaderSpec } from "./pause-hook.ts";
import { saslClusterForFile } from "./sasl-cluster.ts";
import "../../harness/api/matchers.ts";

const PASSWORD_ENV = "KH_TEST_SCRAM_PASSWORD";
const log = (m: string) => console.error(`[attach-sasl] ${m}`);
const sc = saslClusterForFile(log, PASSWORD_ENV);

/** The hook: pauses / resumes the broker KH_TARGET_ID names (this test's own containers). */
const pauseScript = (dir: string) => pauseHookScript(dir, sc().cluster.brokers, "$KH_FAULT $KH_PHASE $KH_TARGET_ID");

describe('cluster kind "attach" with TLS and SASL', () => {
  it("kafkajs over TLS and SCRAM-SHA-256 (--tls-ca, --sasl-* flags), a hook pausing the leader: valid, the fault applied and effective", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-attach-sasl-"));
    const base = pauseLeaderSpec("attach-sasl-pause-leader", 11, sc().cluster.bootstrap(), pauseScript(dir)) satisfies TestSpecInput;
    const spec = withSecurityFlags(base, {
      ...(sc().caFile ? { tlsCa: sc().caFile } : {}),
      saslMechanism: "scram-sha-256",
      saslUsername: sc().scram.username,
      saslPasswordEnv: PASSWORD_ENV,
    });
    const run = await executeRun(spec, { storeRoot: "test-output/store", progress: log });

    const nemesis = run.history.filter((o) => o.process === "nemesis" && (o.f === "pause" || o.f === "resume"));
    expect(
      nemesis.map((o) => `${o.type} ${o.f}`),
      JSON.stringify(nemesis),
    ).toEqual(["invoke pause", "ok pause", "invoke resume", "ok resume"]);
    expect((nemesis[1]!.value as { leaderOf?: string }).leaderOf).toBe(`${run.spec.topic.name}-0`);
    expect(readFileSync(join(dir, "calls.txt"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(run.faults.byKind.pause?.applied, JSON.stringify(run.faults)).toBe(1);
    expect(run).toHaveEffectiveFaults(1);
    expect(run).toHaveExercised({ acked: 30, read: 30 });
    expect(run).toBeValid();

    // The stored spec names the variable, never the password.
    const stored = readFileSync(join(run.dir, "spec.json"), "utf8");
    expect(JSON.parse(stored).cluster.security).toEqual({
      ...(sc().caFile ? { tls: { ca: sc().caFile, rejectUnauthorized: true } } : {}),
      sasl: { mechanism: "scram-sha-256", username: sc().scram.username, passwordEnv: PASSWORD_ENV },
    });
    expect(stored).not.toContain(sc().scram.password);
    // The run's topic is gone (asked as admin: the listener takes nothing else).
    const topic = run.spec.topic.name;
    await waitFor(
      `topic ${topic} to be gone`,
      async () => !(await withAdmin(sc().cluster.bootstrap(), (a) => a.listTopics(), sc().admin)).includes(topic),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }, 240_000);

  it("@platformatic/kafka over TLS and PLAIN, the password inline: valid, and stored as ***", async () => {
    const password = sc().admin.sasl!.password;
    const run = await executeRun(
      {
        name: "attach-sasl-platformatic",
        seed: 12,
        client: "platformatic",
        cluster: {
          kind: "attach",
          bootstrap: sc().cluster.bootstrap(),
          security: { ...(sc().caFile ? { tls: { ca: sc().caFile } } : {}), sasl: { mechanism: "plain", username: "admin", password } },
        },
        producer: { acks: "all" },
        topic: { minInsyncReplicas: 2 },
        workload: { timeLimitSeconds: 8, rate: 50, producers: 2 },
        finalReadTimeoutSeconds: 60,
      } satisfies TestSpecInput,
      { storeRoot: "test-output/store", progress: log },
    );
    expect(run).toHaveExercised({ acked: 30, read: 30 });
    expect(run).toBeValid();
    const stored = readFileSync(join(run.dir, "spec.json"), "utf8");
    expect(JSON.parse(stored).cluster.security.sasl.password).toBe("***");
    expect(stored).not.toContain(password);
  }, 180_000);
});
