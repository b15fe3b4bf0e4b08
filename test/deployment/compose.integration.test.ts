import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import type { z } from 'zod';
import { verifyPassword } from '../../rabbitmq/hash-password.ts';
import { parseEnv } from '../../shared/src/config/parse-env.ts';

/**
 * docker-compose.yml as Compose itself resolves it (`docker-compose config`), checked against the
 * Dockerfile, rabbitmq/, web/nginx.conf and each service's `configShape`. Needs the Compose v1
 * command line tool, Debian package `docker-compose`; no Docker daemon.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL_HINT =
  'docker-compose is not installed: install the Compose command line tool with ' +
  '`apt-get update && apt-get install -y docker-compose` (Debian package docker-compose) and run the tests again';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string | null> | string[] };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { published?: string | number; target?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  user?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

let resolved: ComposeFile | undefined;

/** `docker-compose -f docker-compose.yml config`, parsed; fails (never skips) without the tool. */
function compose(): ComposeFile {
  if (resolved !== undefined) return resolved;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The defaults of the file's own `${VAR:-default}`s, not whatever this shell happens to set.
  for (const name of Object.keys(env)) {
    if (name.startsWith('COMPOSE_') || name.startsWith('WARREN_') || name.startsWith('AUTH_')) delete env[name];
  }
  const run = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? INSTALL_HINT : `docker-compose could not run: ${run.error.message}`);
  }
  expect(run.status, `docker-compose config failed:\n${run.stderr}`).to.equal(0);
  resolved = parse(run.stdout) as ComposeFile;
  return resolved;
}

const service = (name: string): ComposeService => {
  const found = compose().services[name];
  expect(found, `service ${name} in docker-compose.yml`).to.not.equal(undefined);
  return found as ComposeService;
};

/** A service's environment as a map, whichever form Compose printed it in. */
const environmentOf = (svc: ComposeService): Record<string, string | null> => {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
};

const buildOf = (svc: ComposeService) => (typeof svc.build === 'string' ? { context: svc.build } : svc.build);

const buildArgsOf = (svc: ComposeService): Record<string, string | null> => {
  const args = buildOf(svc)?.args ?? {};
  if (!Array.isArray(args)) return args;
  return Object.fromEntries(
    args.map((a) => [a.split('=')[0] ?? a, a.includes('=') ? a.slice(a.indexOf('=') + 1) : null]),
  );
};

/** The services built from the repository's Dockerfile. */
const dockerfileServices = (): [string, ComposeService][] =>
  Object.entries(compose().services).filter(([, svc]) => {
    const build = buildOf(svc);
    return build !== undefined && (build.dockerfile ?? 'Dockerfile') === 'Dockerfile';
  });

/** Host ports a service publishes. */
const publishedPorts = (svc: ComposeService): number[] =>
  (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.published);
    const parts = String(port).split('/')[0]?.split(':') ?? [];
    return Number(parts.length >= 2 ? parts[parts.length - 2] : parts[0]);
  });

/** A service's mounts as source and target, whichever form Compose printed them in. */
const mountsOf = (svc: ComposeService): { source: string; target: string }[] =>
  (svc.volumes ?? []).map((volume) => {
    if (typeof volume === 'object') return { source: volume.source ?? '', target: volume.target ?? '' };
    const [source = '', target = ''] = volume.split(':');
    return { source, target };
  });

const fromRoot = (path: string): string => fileURLToPath(new URL(path, pathToFileURL(ROOT)));

/** Stages of the Dockerfile's last stage onwards: the USER the runtime image ends with. */
const finalUser = (dockerfile: string): string | undefined => {
  const stages = dockerfile.split(/^FROM\s/im);
  const last = stages[stages.length - 1] ?? '';
  const users = [...last.matchAll(/^USER\s+(\S+)/gim)].map((m) => m[1]);
  return users[users.length - 1];
};

type Shape = Record<string, z.ZodType>;

describe('docker-compose.yml', function () {
  this.timeout(60_000);

  it('is valid: `docker-compose -f docker-compose.yml config` exits 0', () => {
    expect(compose().services).to.be.an('object');
  });

  it('runs RabbitMQ 4 with the management UI, from a pinned minor version', () => {
    expect(service('rabbitmq').image).to.match(/^rabbitmq:4\.\d+(\.\d+)?-management/);
  });

  it('gives RabbitMQ its config, plugins and definitions, where rabbitmq.conf loads them from', () => {
    const mounts = mountsOf(service('rabbitmq'));
    const target = (file: string) => mounts.find((m) => m.source === fromRoot(file))?.target;
    const conf = readFileSync(fromRoot('rabbitmq/rabbitmq.conf'), 'utf8');
    const loads = /^load_definitions\s*=\s*(\S+)\s*$/m.exec(conf)?.[1];
    expect(loads, 'load_definitions in rabbitmq.conf').to.equal('/etc/rabbitmq/definitions.json');
    expect(target('rabbitmq/definitions.json')).to.equal(loads);
    expect(target('rabbitmq/enabled_plugins')).to.equal('/etc/rabbitmq/enabled_plugins');
    expect(target('rabbitmq/rabbitmq.conf')).to.match(/^\/etc\/rabbitmq\/(rabbitmq\.conf|conf\.d\/[^/]+\.conf)$/);
    expect(readFileSync(fromRoot('rabbitmq/enabled_plugins'), 'utf8')).to.match(/\[[^\]]*\brabbitmq_management\b/);
    expect(mounts.some((m) => m.target === '/var/lib/rabbitmq')).to.equal(true);
  });

  it('publishes the management UI on 15672 and the web origin on 8080', () => {
    expect(publishedPorts(service('rabbitmq'))).to.include(15672);
    expect(publishedPorts(service('web'))).to.include(8080);
  });

  it('runs PostgreSQL 16 or 17 with its data on a named volume', () => {
    const postgres = service('postgres');
    expect(postgres.image).to.match(/^postgres:1[67]([.-]|$)/);
    const data = mountsOf(postgres).find((m) => m.target === '/var/lib/postgresql/data');
    expect(data?.source).to.be.oneOf(Object.keys(compose().volumes ?? {}));
  });

  it('has a health check on every service', () => {
    for (const [name, svc] of Object.entries(compose().services)) {
      expect(svc.healthcheck?.test, name).to.not.equal(undefined);
      expect(svc.healthcheck?.disable ?? false, name).to.equal(false);
    }
    expect(String(service('rabbitmq').healthcheck?.test)).to.include('rabbitmq-diagnostics,-q,ping');
    expect(String(service('postgres').healthcheck?.test)).to.include('pg_isready');
  });

  it('waits for every dependency to be healthy', () => {
    for (const [name, svc] of Object.entries(compose().services)) {
      const deps = svc.depends_on ?? {};
      expect(deps, `${name}: depends_on with conditions`).to.not.be.an('array');
      for (const [dep, { condition }] of Object.entries(deps as Record<string, { condition?: string }>)) {
        expect(condition, `${name} -> ${dep}`).to.equal('service_healthy');
        expect(service(dep).healthcheck, `${dep} has a health check`).to.not.equal(undefined);
      }
    }
  });

  it('builds the auth service from the Dockerfile', () => {
    expect(dockerfileServices().map(([name]) => name)).to.include('auth');
    expect(buildArgsOf(service('auth')).SERVICE).to.equal('auth');
  });

  it('builds images that run as a non-root user', () => {
    const user = finalUser(readFileSync(fromRoot('Dockerfile'), 'utf8'));
    expect(user, 'USER in the Dockerfile').to.be.a('string');
    expect(user).to.not.match(/^(root|0)(:|$)/);
    for (const [name, svc] of dockerfileServices()) {
      expect(svc.user ?? user, name).to.not.match(/^(root|0)(:|$)/);
    }
  });

  describe('each service built from the Dockerfile', () => {
    it('names an existing services/<SERVICE> with a config.ts and a main.ts to run', () => {
      for (const [name, svc] of dockerfileServices()) {
        const dir = buildArgsOf(svc).SERVICE;
        expect(dir, `${name}: build arg SERVICE`).to.be.a('string');
        for (const file of ['config.ts', 'main.ts']) {
          const path = `services/${dir}/src/${file}`;
          expect(existsSync(fromRoot(path)), `${name}: ${path}`).to.equal(true);
        }
      }
      // What the image runs: the main.ts of the SERVICE it was built for.
      expect(readFileSync(fromRoot('Dockerfile'), 'utf8')).to.match(/^CMD .*services\/\$\{SERVICE\}\/src\/main\.ts/m);
    });

    it('sets every variable of its configShape explicitly, to a value the service accepts', async () => {
      for (const [name, svc] of dockerfileServices()) {
        const dir = buildArgsOf(svc).SERVICE ?? '';
        const module = (await import(pathToFileURL(fromRoot(`services/${dir}/src/config.ts`)).href)) as {
          configShape: Shape;
        };
        const env = environmentOf(svc);
        for (const [variable, schema] of Object.entries(module.configShape)) {
          expect(env, `${name}: ${variable} in environment`).to.have.property(variable);
          const value = env[variable];
          expect(value, `${name}: ${variable} has a value`).to.be.a('string');
          if (value === '') {
            // Empty counts as unset: only for a variable that has no default and may be left out.
            const unset = schema.safeParse(undefined);
            expect(unset.success && unset.data === undefined, `${name}: ${variable} may be empty`).to.equal(true);
          }
        }
        const input = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v ?? undefined]));
        expect(() => parseEnv(module.configShape, input), name).to.not.throw();
      }
    });

    it('listens on every interface of its container (HOST 0.0.0.0), so the other containers reach it', () => {
      for (const [name, svc] of dockerfileServices()) {
        expect(environmentOf(svc).HOST, `${name}: HOST`).to.equal('0.0.0.0');
      }
    });

    it("connects to the warren vhost as the service's own AMQP user, with that user's password", () => {
      const users = (
        JSON.parse(readFileSync(fromRoot('rabbitmq/definitions.json'), 'utf8')) as {
          users: { name: string; password_hash: string }[];
        }
      ).users;
      for (const [name, svc] of dockerfileServices()) {
        const raw = environmentOf(svc).RABBITMQ_URL;
        expect(raw, `${name}: RABBITMQ_URL`).to.be.a('string');
        const url = new URL(raw ?? '');
        const user = decodeURIComponent(url.username);
        expect(user, name).to.equal(buildArgsOf(svc).SERVICE);
        expect(url.hostname, name).to.equal('rabbitmq');
        expect(url.pathname, name).to.equal('/warren');
        const hash = users.find((u) => u.name === user)?.password_hash ?? '';
        expect(
          verifyPassword(decodeURIComponent(url.password), hash),
          `${name}: password matches definitions.json`,
        ).to.equal(true);
        expect(service(name).depends_on, name).to.have.property('rabbitmq');
      }
    });

    it("reaches PostgreSQL with the postgres service's credentials", () => {
      const pg = environmentOf(service('postgres'));
      for (const [name, svc] of dockerfileServices()) {
        const raw = environmentOf(svc).DATABASE_URL;
        if (raw === undefined) continue;
        const url = new URL(raw ?? '');
        expect(url.hostname, name).to.equal('postgres');
        expect(decodeURIComponent(url.username), name).to.equal(pg.POSTGRES_USER);
        expect(decodeURIComponent(url.password), name).to.equal(pg.POSTGRES_PASSWORD);
        expect(url.pathname, name).to.equal(`/${pg.POSTGRES_DB}`);
        expect(service(name).depends_on, name).to.have.property('postgres');
      }
    });
  });

  it("keeps auth's generated signing key on a named volume", () => {
    const auth = service('auth');
    const env = environmentOf(auth);
    const volumes = Object.keys(compose().volumes ?? {});
    const keyDir = env.JWT_PRIVATE_KEY_FILE ? env.JWT_PRIVATE_KEY_FILE.replace(/\/[^/]*$/, '') : env.DATA_DIR;
    const mount = mountsOf(auth).find((m) => keyDir === m.target || keyDir?.startsWith(`${m.target}/`));
    expect(mount?.source, `a named volume holds ${keyDir}`).to.be.oneOf(volumes);
  });

  describe('web', () => {
    const nginx = () => readFileSync(fromRoot('web/nginx.conf'), 'utf8');

    it('serves web/dist through a pinned nginx with web/nginx.conf', () => {
      const web = service('web');
      expect(web.image).to.match(/^nginx:\d+\.\d+(\.\d+)?-alpine$/);
      const mounts = mountsOf(web);
      expect(mounts.find((m) => m.source === fromRoot('web/nginx.conf'))?.target).to.match(/^\/etc\/nginx\//);
      expect(mounts.find((m) => m.source === fromRoot('web/dist'))?.target).to.equal('/usr/share/nginx/html');
      expect(nginx()).to.match(/^\s*root\s+\/usr\/share\/nginx\/html;/m);
    });

    it('routes /auth, /api and /ws to the services, resolved at request time', () => {
      const conf = nginx();
      expect(conf).to.match(/^\s*resolver\s+127\.0\.0\.11\b/m);
      expect(conf).to.match(/^\s*listen\s+8080;/m);
      for (const [path, variable, upstream] of [
        ['/auth/', 'auth_upstream', 'auth:3001'],
        ['/api/', 'chat_api_upstream', 'chat-api:3002'],
        ['= /ws', 'ws_gateway_upstream', 'ws-gateway:3003'],
      ] as const) {
        expect(conf, upstream).to.include(`set $${variable} http://${upstream};`);
        const block = conf.slice(conf.indexOf(`location ${path} {`));
        expect(block, path).to.match(new RegExp(`^location ${path} \\{\\s*proxy_pass \\$${variable};`));
      }
    });

    it('upgrades /ws to a WebSocket that may stay quiet for long', () => {
      const conf = nginx();
      expect(conf).to.match(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
      expect(conf).to.match(/proxy_set_header\s+Connection\s+\$connection_upgrade;/);
      const ws = conf.slice(conf.indexOf('location = /ws {'));
      const timeout = /proxy_read_timeout\s+(\d+)(s|m|h)?;/.exec(ws.slice(0, ws.indexOf('}')));
      const seconds = Number(timeout?.[1]) * ({ s: 1, m: 60, h: 3600 } as const)[timeout?.[2] as 's' | 'm' | 'h'];
      expect(seconds, 'proxy_read_timeout of /ws').to.be.at.least(600);
    });
  });
});
