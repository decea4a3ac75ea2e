// A self-signed certificate for 127.0.0.1 and its key (PKCS#8), made by openssl as PEM files in
// `dir` for one test run (no key is kept in the repository). It is its own CA.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export function selfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, "broker.pem");
  const keyFile = join(dir, "broker.key");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=kafka-harness-test"].concat([
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ]),
    { stdio: "ignore" },
  );
  return { certFile, keyFile };
}
