// cluster.security: accepted on an attached cluster only, its rules (cert with key, one way to give
// the password), the command line's flags over a spec file, the stored spec's redacted password,
// and what the run reads (files, the variable) with errors that name what is missing.
import { describe, expect, it } from "vitest";
import { resolveSecurity } from "../../harness/cluster/security.ts";
import { formatPreview, previewJson, previewOf } from "../../harness/run/dry-run.ts";
import { REDACTED, redactSecrets, withSecurityFlags } from "../../harness/spec/security.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

const attach = (security: unknown) => ({ cluster: { kind: "attach", bootstrap: ["k1:9092"], security } });

describe("cluster.security in a spec", () => {
  it("is taken on kind attach, TLS's rejectUnauthorized defaulting to true", () => {
    const s = parseTestSpec(attach({ tls: { ca: "ca.pem" }, sasl: { mechanism: "scram-sha-256", username: "bob", passwordEnv: "KH_PW" } }));
    expect(s.cluster.security).toEqual({
      tls: { ca: "ca.pem", rejectUnauthorized: true },
      sasl: { mechanism: "scram-sha-256", username: "bob", passwordEnv: "KH_PW" },
    });
    expect(parseTestSpec(attach({ tls: true })).cluster.security).toEqual({ tls: true });
  });

  it("is refused on the clusters the harness starts, saying why", () => {
    expect(() => parseTestSpec({ cluster: { security: { tls: true } } })).toThrow(
      /cluster\.security: is for kind "attach" only: the clusters the harness starts \(docker\) listen in plaintext/,
    );
  });

  it("wants a certificate with its key, and the password one way", () => {
    expect(() => parseTestSpec(attach({ tls: { cert: "c.pem" } }))).toThrow(/cluster\.security\.tls\.key: cert and key go together/);
    expect(() => parseTestSpec(attach({ sasl: { mechanism: "plain", username: "a" } }))).toThrow(/give the password one way/);
    expect(() => parseTestSpec(attach({ sasl: { mechanism: "plain", username: "a", password: "p", passwordEnv: "P" } }))).toThrow(
      /give the password one way/,
    );
    expect(() => parseTestSpec(attach({ sasl: { mechanism: "gssapi", username: "a", password: "p" } }))).toThrow(
      /must be one of plain, scram-sha-256, scram-sha-512/,
    );
  });
});

describe("the security flags", () => {
  it("--tls, --tls-ca and the SASL flags set cluster.security", () => {
    expect(withSecurityFlags({ cluster: { kind: "attach" } }, { tls: true })).toEqual({
      cluster: { kind: "attach", security: { tls: true } },
    });
    expect(
      withSecurityFlags({}, { tlsCa: "ca.pem", saslMechanism: "scram-sha-512", saslUsername: "bob", saslPasswordEnv: "KH_PW" }),
    ).toEqual({
      cluster: { security: { tls: { ca: "ca.pem" }, sasl: { mechanism: "scram-sha-512", username: "bob", passwordEnv: "KH_PW" } } },
    });
    expect(withSecurityFlags({ seed: 1 }, {})).toEqual({ seed: 1 });
  });

  it("lie over a spec file's: its other TLS fields kept, an inline password replaced by the variable", () => {
    const file = {
      cluster: { security: { tls: { servername: "kafka" }, sasl: { mechanism: "plain", username: "a", password: REDACTED } } },
    };
    expect(withSecurityFlags(file, { tlsCa: "ca.pem", saslPasswordEnv: "KH_PW" })).toEqual({
      cluster: {
        security: { tls: { servername: "kafka", ca: "ca.pem" }, sasl: { mechanism: "plain", username: "a", passwordEnv: "KH_PW" } },
      },
    });
  });

  it("a mechanism that is none of the three is refused naming the flag", () => {
    expect(() => withSecurityFlags({}, { saslMechanism: "gssapi" })).toThrow(
      /--sasl-mechanism must be plain, scram-sha-256, scram-sha-512 \(got "gssapi"\)/,
    );
  });
});

describe("the stored spec", () => {
  it("holds an inline password as ***, a passwordEnv as given", () => {
    const inline = parseTestSpec(attach({ sasl: { mechanism: "plain", username: "a", password: "s3cret" } }));
    const stored = redactSecrets(inline);
    expect(stored.cluster.security?.sasl?.password).toBe(REDACTED);
    expect(JSON.stringify(stored)).not.toContain("s3cret");
    expect(inline.cluster.security?.sasl?.password).toBe("s3cret"); // the run's own copy is untouched
    const byEnv = parseTestSpec(attach({ sasl: { mechanism: "plain", username: "a", passwordEnv: "KH_PW" } }));
    expect(redactSecrets(byEnv)).toBe(byEnv);
  });

  it("--dry-run says how it connects, and its JSON holds no password", () => {
    const p = previewOf(parseTestSpec(attach({ tls: true, sasl: { mechanism: "plain", username: "a", password: "s3cret" } })));
    expect(formatPreview(p)).toContain("attached at k1:9092 over TLS, SASL plain as a:");
    expect(JSON.stringify(previewJson(p))).not.toContain("s3cret");
  });
});

describe("resolveSecurity", () => {
  const files: Record<string, string> = { "/certs/ca.pem": "CA PEM", "/certs/c.pem": "CERT PEM", "/certs/k.pem": "KEY PEM" };
  const read = async (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  };

  it("reads the files and the password's variable", async () => {
    const spec = parseTestSpec(
      attach({
        tls: { ca: "/certs/ca.pem", cert: "/certs/c.pem", key: "/certs/k.pem", servername: "kafka" },
        sasl: { mechanism: "scram-sha-256", username: "bob", passwordEnv: "KH_PW" },
      }),
    );
    expect(await resolveSecurity(spec.cluster.security, { read, env: { KH_PW: "pw" } })).toEqual({
      tls: { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM", rejectUnauthorized: true, servername: "kafka" },
      sasl: { mechanism: "scram-sha-256", username: "bob", password: "pw" },
    });
    expect(await resolveSecurity(undefined)).toBeUndefined();
    expect(await resolveSecurity({ tls: true })).toEqual({ tls: { rejectUnauthorized: true } });
  });

  it("names the missing file, the unset variable, a redacted password", async () => {
    await expect(resolveSecurity({ tls: { ca: "/certs/nope.pem", rejectUnauthorized: true } }, { read })).rejects.toThrow(
      /invalid cluster\.security:\n  - tls\.ca: cannot read \/certs\/nope\.pem \(ENOENT/,
    );
    await expect(resolveSecurity({ sasl: { mechanism: "plain", username: "a", passwordEnv: "KH_PW" } }, { env: {} })).rejects.toThrow(
      /the environment variable KH_PW is not set/,
    );
    await expect(resolveSecurity({ sasl: { mechanism: "plain", username: "a", password: REDACTED } })).rejects.toThrow(
      /a stored spec's redacted password/,
    );
  });
});
