// Testcontainers settings this machine needs (DESIGN.md §3), set before testcontainers reads them:
// Ryuk's image cannot be pulled (the harness removes its containers itself, by label), and mapped
// ports are reached on 127.0.0.1.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
export {};
