// The stand-in host image's inputs: its tag follows the Kafka image and its own files, and apt
// resolves openssh-server against the image's dpkg status with a cache and status of its own.
import { describe, expect, it } from "vitest";
import { aptDownloadArgs, sshdImageTag } from "../../harness/images/sshd-image.ts";

describe("the stand-in host image", () => {
  it("is tagged by the Kafka image's version and a hash of every input", () => {
    const tag = sshdImageTag("kafka-harness/kafka:4.4.0-650c2408ff59", ["Dockerfile text", "entrypoint"]);
    expect(tag).toMatch(/^kafka-harness\/sshd:4\.4\.0-[0-9a-f]{12}$/);
    expect(sshdImageTag("kafka-harness/kafka:4.4.0-650c2408ff59", ["Dockerfile text", "entrypoint"])).toBe(tag);
    expect(sshdImageTag("kafka-harness/kafka:4.4.0-000000000000", ["Dockerfile text", "entrypoint"])).not.toBe(tag);
    expect(sshdImageTag("kafka-harness/kafka:4.4.0-650c2408ff59", ["Dockerfile text", "entrypoint changed"])).not.toBe(tag);
    expect(() => sshdImageTag("debian:bookworm", [])).toThrow(/not a kafka-harness Kafka image/);
  });

  it("downloads with apt's resolver against the image's installed packages, never the host's", () => {
    expect(aptDownloadArgs("/ctx/status", "/ctx/debs", ["openssh-server"])).toEqual([
      "-q",
      "-o",
      "Dir::State::status=/ctx/status",
      "-o",
      "Dir::Cache::archives=/ctx/debs",
      "-o",
      "Debug::NoLocking=1",
      "--download-only",
      "--no-install-recommends",
      "-y",
      "install",
      "openssh-server",
    ]);
  });
});
