import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { databaseConfig, settings } from '../src/config';

interface Service {
  build?: { context?: string; args?: Record<string, string> };
  image?: string;
  command?: unknown;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const root = resolve(__dirname, '..');
// merge: the file shares the app's settings through a YAML anchor (`<<: *app`), as Compose reads it.
const read = (file: string) => parse(readFileSync(resolve(root, file), 'utf8'), { merge: true }) as ComposeFile;
const compose = read('docker-compose.yml');
const offline = read('compose.offline.yml');
const apps = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
const stores = Object.entries(compose.services).filter(([, service]) => service.build === undefined);
/** The stand-in names the build script uses, from tools/compose/images.env. */
const standIns = Object.fromEntries(
  [...readFileSync(resolve(root, 'tools/compose/images.env'), 'utf8').matchAll(/^(\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]),
);

// The run itself is `npm run demo:compose` (podman, in CI): these checks catch what can be seen without one.
describe('docker-compose.yml', () => {
  it('when the app runs once per store, then it covers sqlite, postgres and mongodb', () => {
    const kinds = apps.map(([, service]) => databaseConfig(service.environment?.DATABASE_URL ?? '').kind);
    expect(kinds.sort()).toEqual(['mongodb', 'postgres', 'sqlite']);
  });

  it('when the apps are defined, then they are one image from one build and differ only in DATABASE_URL', () => {
    const [first, ...others] = apps.map(([, service]) => service);
    expect(first.image).toBeDefined();
    for (const other of others) {
      expect({ image: other.image, build: other.build }).toEqual({ image: first.image, build: first.build });
    }
    for (const [, service] of apps) expect(Object.keys(service.environment ?? {})).toEqual(['DATABASE_URL']);
  });

  it.each(apps)('when %s sets a variable, then it is one the config reads', (_name, service) => {
    for (const variable of Object.keys(service.environment ?? {})) {
      expect(Object.keys(settings)).toContain(variable);
    }
  });

  it.each(apps)('when %s names a database host, then that host is a service of the file it waits for until healthy', (_name, service) => {
    const url = service.environment?.DATABASE_URL ?? '';
    if (url.startsWith('sqlite:')) return;
    const host = new URL(url).hostname;
    expect(Object.keys(compose.services)).toContain(host);
    expect(service.depends_on?.[host]?.condition).toBe('service_healthy');
  });

  it.each(apps)('when %s is published, then only on the loopback and not on a port the host services hold', (_name, service) => {
    expect(service.ports?.length).toBeGreaterThan(0);
    for (const port of service.ports ?? []) {
      expect(port).toMatch(/^127\.0\.0\.1:\d+:3000$/);
      expect(['5432', '3306', '6379', '27017']).not.toContain(port.split(':')[1]);
    }
  });

  it.each(stores)('when %s keeps data, then it has a healthcheck and a named volume', (_name, service) => {
    expect(service.healthcheck?.test).toBeDefined();
    expect(service.ports).toBeUndefined();
    const [volume] = service.volumes ?? [];
    expect(Object.keys(compose.volumes ?? {})).toContain(volume.split(':')[0]);
  });

  it('when mongo starts, then it is a replica set that its healthcheck initiates', () => {
    expect(compose.services.mongo.command).toContain('--replSet rs0');
    expect(compose.services.mongo.healthcheck?.test).toContain('rs.initiate(');
  });
});

describe('compose.offline.yml', () => {
  it('when it overrides services, then only ones docker-compose.yml has, and for the stores only their image, command and healthcheck', () => {
    for (const [name, service] of Object.entries(offline.services)) {
      expect(Object.keys(compose.services)).toContain(name);
      const allowed = compose.services[name].build === undefined ? ['image', 'command', 'healthcheck'] : ['build'];
      for (const key of Object.keys(service)) expect(allowed).toContain(key);
    }
  });

  it('when it names stand-in images, then they are the ones tools/compose/standins.sh builds', () => {
    expect(offline.services.postgres.image).toBe(standIns.POSTGRES_IMAGE);
    expect(offline.services.mongo.image).toBe(standIns.FERRETDB_IMAGE);
    for (const [name] of apps) expect(offline.services[name].build).toEqual({ args: { NODE_IMAGE: standIns.NODE_IMAGE } });
  });

  it('when the Dockerfile builds on the stand-in, then its base is an argument and it runs as a non-root user', () => {
    const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\}/gm)).toHaveLength(2);
    expect(dockerfile.split('FROM ').at(-1)).toMatch(/^USER node$/m);
  });
});
