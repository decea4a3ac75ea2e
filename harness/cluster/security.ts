// cluster.security as the clients need it (harness/protocol/security.ts ClientSecurity): the
// certificate files read, the password read from its environment variable. Done once, when the
// run is prepared, so a missing file or variable stops it before anything is created, naming it
// (a SpecError: the spec names something this machine does not have).
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ClientSecurity, ClientTls } from "../protocol/security.ts";
import { SpecError } from "../spec/errors.ts";
import { REDACTED, type SecuritySpec } from "../spec/security.ts";
import { messageOf } from "../util/errors.ts";

export interface ResolveOptions {
  env?: Readonly<Record<string, string | undefined>>;
  read?: (path: string) => Promise<string>;
}

export async function resolveSecurity(spec: SecuritySpec | undefined, o: ResolveOptions = {}): Promise<ClientSecurity | undefined> {
  if (!spec || (spec.tls === undefined && spec.sasl === undefined)) return undefined;
  const env = o.env ?? process.env;
  const read = o.read ?? ((path: string) => readFile(path, "utf8"));
  const file = async (field: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return await read(resolve(path));
    } catch (err) {
      throw new SpecError("cluster.security", [
        `tls.${field}: cannot read ${path} (${messageOf(err)}): give a PEM file this machine can read`,
      ]);
    }
  };
  let tls: ClientTls | undefined;
  if (spec.tls === true) tls = { rejectUnauthorized: true };
  else if (spec.tls) {
    const [ca, cert, key] = await Promise.all([file("ca", spec.tls.ca), file("cert", spec.tls.cert), file("key", spec.tls.key)]);
    tls = {
      rejectUnauthorized: spec.tls.rejectUnauthorized,
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(spec.tls.servername === undefined ? {} : { servername: spec.tls.servername }),
    };
  }
  const s = spec.sasl;
  let password: string | undefined;
  if (s?.passwordEnv !== undefined) {
    password = env[s.passwordEnv];
    if (password === undefined)
      throw new SpecError("cluster.security", [
        `sasl.passwordEnv: the environment variable ${s.passwordEnv} is not set (it holds ${s.username}'s password: export ${s.passwordEnv}=... before the run)`,
      ]);
  } else if (s?.password === REDACTED)
    throw new SpecError("cluster.security", [
      `sasl.password is "${REDACTED}", a stored spec's redacted password: give it through an environment variable (passwordEnv, or --sasl-password-env VAR)`,
    ]);
  else password = s?.password;
  return {
    ...(tls ? { tls } : {}),
    ...(s && password !== undefined ? { sasl: { mechanism: s.mechanism, username: s.username, password } } : {}),
  };
}
