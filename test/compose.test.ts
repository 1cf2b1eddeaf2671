import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { databaseConfig, settings } from '../src/config';

interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
}

// There is no Docker engine to run the demo here, so check what can be checked without one.
const compose = parse(readFileSync(resolve(__dirname, '../docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const apps = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

describe('docker-compose.yml', () => {
  it('when the app runs once per store, then it covers sqlite, postgres and mongodb', () => {
    const kinds = apps.map(([, service]) => databaseConfig(service.environment?.DATABASE_URL ?? '').kind);
    expect(kinds.sort()).toEqual(['mongodb', 'postgres', 'sqlite']);
  });

  it.each(apps)('when %s sets a variable, then it is one the config reads', (_name, service) => {
    for (const variable of Object.keys(service.environment ?? {})) {
      expect(Object.keys(settings)).toContain(variable);
    }
  });

  it.each(apps)('when %s names a database host, then that host is a service of the file', (_name, service) => {
    const url = service.environment?.DATABASE_URL ?? '';
    if (url.startsWith('sqlite:')) return;
    expect(Object.keys(compose.services)).toContain(new URL(url).hostname);
  });
});
