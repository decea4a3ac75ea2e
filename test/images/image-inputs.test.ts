import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KAFKA_FILES, kafkaImageTag, kafkaVersion, mavenArgs } from "../../harness/images/build-images.ts";

describe("image inputs per Kafka version", () => {
  it("pom.xml's default is ZooKeeper mode's 3.9.1", () => {
    expect(kafkaVersion()).toBe("3.9.1");
  });

  it("passes the version to Maven, and the log4j2 profile for 4.x only", () => {
    expect(mavenArgs("3.9.1")).toContain("-Dkafka.version=3.9.1");
    expect(mavenArgs("3.9.1")).not.toContain("-Dkafka.log4j2");
    expect(mavenArgs("4.4.0")).toEqual(expect.arrayContaining(["-Dkafka.version=4.4.0", "-Dkafka.log4j2"]));
    expect(() => mavenArgs("4.4")).toThrow(/not a Kafka release/);
  });

  it("tags name the version and hash every input", () => {
    const files = KAFKA_FILES.map((f) => `contents of ${f}`);
    const t = kafkaImageTag("base:1", "4.4.0", files);
    expect(t).toMatch(/^kafka-harness\/kafka:4\.4\.0-[0-9a-f]{12}$/);
    expect(kafkaImageTag("base:1", "4.4.0", files)).toBe(t);
    expect(kafkaImageTag("base:1", "4.3.0", files)).not.toBe(t.replace("4.4.0", "4.3.0"));
    expect(kafkaImageTag("base:2", "4.4.0", files)).not.toBe(t);
    expect(kafkaImageTag("base:1", "4.4.0", [...files.slice(1), "changed"])).not.toBe(t);
  });

  it("ships both log configurations (3.x log4j, 4.x log4j2)", () => {
    expect(KAFKA_FILES).toEqual(
      expect.arrayContaining(["pom.xml", "Dockerfile", "entrypoint.sh", "log4j.properties", "log4j2.properties"]),
    );
  });
});

const KAFKA_DIR_FOR_TEST = join(import.meta.dirname, "../../harness/images/kafka");

describe("the image's class-data sharing archives", () => {
  const dockerfile = readFileSync(join(KAFKA_DIR_FOR_TEST, "Dockerfile"), "utf8");

  it("are made at build by cds-train.sh, and every file the Dockerfile copies is hashed into the tag", () => {
    expect(dockerfile).toMatch(/^RUN .*\/opt\/kafka\/cds-train\.sh$/m);
    const copied = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1]!.split(" ")).filter((f) => !f.startsWith("target/"));
    expect(copied).toContain("cds-train.sh");
    for (const f of copied) expect(KAFKA_FILES).toContain(f);
  });

  it("are mapped by the entrypoint per role, before the spec's JVM options (so -Xshare:off there wins)", () => {
    const entrypoint = readFileSync(join(KAFKA_DIR_FOR_TEST, "entrypoint.sh"), "utf8");
    expect(entrypoint).toMatch(/JAVA_OPTS=\(\$\(cds "\$ROLE"\) \$\{JVM_OPTS/);
    expect(entrypoint).toMatch(/java \$\(cds format\) .*StorageTool format/);
  });
});
