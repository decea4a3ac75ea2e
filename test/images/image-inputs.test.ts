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
