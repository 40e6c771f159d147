import { defineConfig } from "prisma/config";
import { MigrationPgAdapterFactory } from "./prisma/migration-adapter.ts";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/bussola";
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: async () => new MigrationPgAdapterFactory(url),
});
