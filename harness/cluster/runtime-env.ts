// Testcontainers settings this machine needs, set by one explicit call before anything starts a
// container (testcontainers reads them when it first talks to the engine, not at import): Ryuk's
// image cannot be pulled (the harness removes its containers itself, by label), and mapped ports
// are reached on 127.0.0.1. Called by the entry points: the CLI, the package index, the test setup,
// the bench. A value the user set is kept.

/** Idempotent. */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
}
