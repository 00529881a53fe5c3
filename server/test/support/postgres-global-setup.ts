// Global setup of the postgres project: a migrated template database every test database is
// created from (CREATE DATABASE … TEMPLATE is far faster than migrating each one).
import postgres from "postgres";
import { openDatabase } from "../../src/db/client";
import { POSTGRES_TEMPLATE_DB, testDatabaseUrl, withDatabase } from "./database";

export default async function setup() {
  const base = testDatabaseUrl();
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${POSTGRES_TEMPLATE_DB}" with (force)`);
    await admin.unsafe(`create database "${POSTGRES_TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const template = await openDatabase({
    databaseUrl: withDatabase(base, POSTGRES_TEMPLATE_DB),
    maxConnections: 1,
  });
  await template.migrate();
  await template.close();
}
