// `kafka-harness install-client confluent`: its pure parts (the build's environment, the make shim
// that caps librdkafka's unlimited `make -j`, the progress read from the build's output) and its
// refusals, without building anything (the build itself takes about 20 minutes).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BuildProgress, buildEnv, formatElapsed, makeShim, nodeHeadersPrefix } from "../../harness/run/install-client.ts";

const root = resolve(import.meta.dirname, "../..");

describe("install-client confluent", () => {
  it("builds from source against this machine's headers and libraries, with nothing downloaded outside npm", () => {
    const env = buildEnv({ PATH: "/usr/bin", JOBS: "max", MAKEFLAGS: "-j8", HOME: "/h" }, { nodedir: "/usr", shimDir: "/s" });
    expect(env).toMatchObject({
      CKJS_LINKING: "dynamic",
      npm_config_build_from_source: "true",
      npm_config_nodedir: "/usr",
      PATH: "/s:/usr/bin",
      HOME: "/h",
    });
    // node-gyp's own make stays serial: its Makefile races librdkafka's configure otherwise.
    expect(env.JOBS).toBeUndefined();
    expect(env.MAKEFLAGS).toBeUndefined();
  });

  it("the make shim turns a bare -j into -j<cores> and passes everything else through", () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-shim-"));
    const echo = join(dir, "fake-make");
    writeFileSync(echo, '#!/bin/sh\nprintf "%s|" "$@"\n');
    chmodSync(echo, 0o755);
    writeFileSync(join(dir, "make"), makeShim(echo, 2));
    chmodSync(join(dir, "make"), 0o755);
    expect(execFileSync(join(dir, "make"), ["-j", "-C", "librdkafka", "libs", "install-subdirs"], { encoding: "utf8" })).toBe(
      "-j2|-C|librdkafka|libs|install-subdirs|",
    );
    expect(execFileSync(join(dir, "make"), ["-j4", "BUILDTYPE=Release", "a b"], { encoding: "utf8" })).toBe("-j4|BUILDTYPE=Release|a b|");
  });

  it("progress: the step and the sources compiled, from the build's lines", () => {
    const p = new BuildProgress();
    expect(p.line("[info] build requesting source compile")).toBe(true);
    expect(p.line("checking for OS or distribution... \u001b[32mok\u001b[m (debian)")).toBe(true);
    expect(p.step).toBe("librdkafka: ./configure");
    p.line("make[1]: Entering directory '/x/node_modules/@confluentinc/kafka-javascript/deps/librdkafka'");
    for (let i = 0; i < 9; i++) expect(p.line(`gcc -MD -MP -g -O2 -fPIC -I.  -c f${i}.c -o f${i}.o`)).toBe(false);
    expect(p.line("g++ -MD -MP -g -O2 -fPIC -I.  -c RdKafka.cpp -o RdKafka.o")).toBe(true); // every 10th
    expect(p.line("gcc -L/x -shared -Wl,-soname,librdkafka.so.1 a.o b.o -o librdkafka.so.1")).toBe(false); // a link, not a compile
    p.line("  CXX(target) Release/obj.target/confluent-kafka-javascript/src/binding.o");
    expect(p.describe()).toBe("addon: compiling; 11 of about 113 sources compiled");
    expect(formatElapsed(1170)).toBe("19 min 30 s");
  });

  it("the Node headers are found beside node, or in /usr, or not at all (then the install refuses)", () => {
    expect(nodeHeadersPrefix("/opt/node/bin/node", (p) => p === "/opt/node/include/node/node.h")).toBe("/opt/node");
    expect(nodeHeadersPrefix("/opt/node/bin/node", (p) => p === "/usr/include/node/node.h")).toBe("/usr");
    expect(nodeHeadersPrefix("/opt/node/bin/node", () => false)).toBeUndefined();
  });

  it("a client that is not installable: exit 254, naming what is", () => {
    const r = spawnSync(process.execPath, [join(root, "bin/kafka-harness.js"), "install-client", "rdkafka"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(254);
    expect(r.stderr).toMatch(/no client named "rdkafka" to install[\s\S]*install-client confluent/);
    // A client library is not the machine: no "cannot run a cluster" framing.
    expect(r.stderr).not.toMatch(/cannot run a cluster/);
  });
});
