// cluster.security: how the clients reach an attached cluster that asks for TLS or SASL, as plain
// data (files and an environment variable's name: the run reads them, harness/cluster/security.ts).
// A password never goes into a stored spec: passwordEnv names where it is; one given inline is
// stored as "***" (redactSecrets), so a replay of that run needs passwordEnv.
import { z } from "zod";
import { SpecError } from "./errors.ts";

export const SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;

/** What a redacted password is stored as. */
export const REDACTED = "***";

type Plain = Record<string, unknown>;

const File = z.string().min(1, { error: "must be a file name" });

const TlsSchema = z.union([
  z.literal(true),
  z
    .object({
      /** The CA that signed the brokers' certificates, a PEM file (absent: Node's default CAs). */
      ca: File.optional(),
      /** The client's certificate and key, PEM files (mutual TLS): both or neither. */
      cert: File.optional(),
      key: File.optional(),
      /** false accepts any broker certificate. */
      rejectUnauthorized: z.boolean().default(true),
      /** The name the brokers' certificates are checked against (absent: the host connected to). */
      servername: z.string().min(1).optional(),
    })
    .strict(),
]);

const SaslSchema = z
  .object({
    mechanism: z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(", ")}` }),
    username: z.string().min(1),
    /** Inline (stored as "***"); prefer passwordEnv. */
    password: z.string().optional(),
    /** The environment variable that holds the password, read when the run starts. */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable's name" })
      .optional(),
  })
  .strict();

export const SecuritySpecSchema = z
  .object({ tls: TlsSchema.optional(), sasl: SaslSchema.optional() })
  .strict()
  .superRefine((s, ctx) => {
    if (s.tls !== undefined && s.tls !== true && (s.tls.cert === undefined) !== (s.tls.key === undefined))
      ctx.addIssue({ code: "custom", path: ["tls", s.tls.cert ? "key" : "cert"], message: "cert and key go together (mutual TLS)" });
    if (s.sasl && (s.sasl.password === undefined) === (s.sasl.passwordEnv === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["sasl", "passwordEnv"],
        message: "give the password one way: passwordEnv (an environment variable's name, --sasl-password-env) or password",
      });
  });

export type SecuritySpec = z.output<typeof SecuritySpecSchema>;
export type SecuritySpecInput = z.input<typeof SecuritySpecSchema>;

/** The spec as stored (spec.json, shrunk-spec.json): an inline password replaced by "***". Pure. */
export function redactSecrets<T extends { cluster: { security?: SecuritySpec } }>(spec: T): T {
  const sasl = spec.cluster.security?.sasl;
  if (sasl?.password === undefined) return spec;
  return { ...spec, cluster: { ...spec.cluster, security: { ...spec.cluster.security, sasl: { ...sasl, password: REDACTED } } } };
}

/** The run command's security flags: the simple case (the spec's cluster.security has the rest). */
export interface SecurityFlags {
  tls?: boolean;
  tlsCa?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPasswordEnv?: string;
}

/**
 * The spec input with the security flags over its cluster.security: --tls / --tls-ca turn TLS on
 * (keeping a spec file's other TLS fields), the SASL flags set the mechanism, the user and the
 * password's variable (which replaces an inline password). Pure; a flag's bad text names the flag.
 */
export function withSecurityFlags(base: Plain, f: SecurityFlags): Plain {
  const sasl = f.saslMechanism !== undefined || f.saslUsername !== undefined || f.saslPasswordEnv !== undefined;
  if (!f.tls && f.tlsCa === undefined && !sasl) return base;
  if (f.saslMechanism !== undefined && !(SASL_MECHANISMS as readonly string[]).includes(f.saslMechanism))
    throw new SpecError("command line", [
      `--sasl-mechanism must be ${SASL_MECHANISMS.join(", ")} (got ${JSON.stringify(f.saslMechanism)})`,
    ]);
  const cluster = (base.cluster ?? {}) as Plain;
  const given = (cluster.security ?? {}) as Plain;
  const security: Plain = { ...given };
  if (f.tls || f.tlsCa !== undefined) {
    const tls = typeof given.tls === "object" && given.tls !== null ? { ...(given.tls as Plain) } : {};
    if (f.tlsCa !== undefined) tls.ca = f.tlsCa;
    security.tls = Object.keys(tls).length ? tls : true;
  }
  if (sasl) {
    const s: Plain = { ...((given.sasl ?? {}) as Plain) };
    if (f.saslMechanism !== undefined) s.mechanism = f.saslMechanism;
    if (f.saslUsername !== undefined) s.username = f.saslUsername;
    if (f.saslPasswordEnv !== undefined) {
      s.passwordEnv = f.saslPasswordEnv;
      delete s.password;
    }
    security.sasl = s;
  }
  return { ...base, cluster: { ...cluster, security } };
}
