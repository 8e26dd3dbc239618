export default async function teardown() {
  const postgres = globalThis.__shoalPostgres;
  if (!postgres) return;
  globalThis.__shoalPostgres = undefined;
  delete process.env.SHOAL_TEST_POSTGRES_URL;
  await postgres.stop();
}
