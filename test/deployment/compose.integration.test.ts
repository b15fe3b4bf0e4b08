import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import type { z } from 'zod';
import { verifyPassword } from '../../rabbitmq/hash-password.ts';
import { parseEnv } from '../../shared/src/config/parse-env.ts';

/**
 * docker-compose.yml as Compose itself resolves it (`docker-compose config`), checked against the
 * Dockerfile, rabbitmq/, web/nginx.conf and each service's `configShape`; then the same with
 * docker-compose.cluster.yml merged over it (the three-node cluster, docs/scaling.md). Needs the
 * Compose v1 command line tool, Debian package `docker-compose`; no Docker daemon.
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
  hostname?: string;
  networks?: Record<string, { aliases?: string[] } | null> | string[];
  secrets?: (string | { source?: string; target?: string })[];
  entrypoint?: string | string[];
  command?: string | string[];
  scale?: number;
  deploy?: { replicas?: number };
  container_name?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

/** The single-node deployment. */
const SINGLE = ['docker-compose.yml'] as const;
/** The three-node cluster: docker-compose.cluster.yml merged over docker-compose.yml. */
const CLUSTER = ['docker-compose.yml', 'docker-compose.cluster.yml'] as const;
type Files = typeof SINGLE | typeof CLUSTER;

const resolved = new Map<Files, ComposeFile>();

/** `docker-compose -f <file>… config`, parsed; fails (never skips) without the tool. */
function compose(files: Files = SINGLE): ComposeFile {
  const cached = resolved.get(files);
  if (cached !== undefined) return cached;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The defaults of the file's own `${VAR:-default}`s, not whatever this shell happens to set.
  for (const name of Object.keys(env)) {
    if (name.startsWith('COMPOSE_') || name.startsWith('WARREN_') || name.startsWith('AUTH_')) delete env[name];
  }
  const run = spawnSync('docker-compose', [...files.flatMap((file) => ['-f', file]), 'config'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? INSTALL_HINT : `docker-compose could not run: ${run.error.message}`);
  }
  expect(run.status, `docker-compose ${files.join(' + ')} config failed:\n${run.stderr}`).to.equal(0);
  const parsed = parse(run.stdout) as ComposeFile;
  resolved.set(files, parsed);
  return parsed;
}

const service = (name: string, files: Files = SINGLE): ComposeService => {
  const found = compose(files).services[name];
  expect(found, `service ${name} in ${files.join(' + ')}`).to.not.equal(undefined);
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
const dockerfileServices = (files: Files = SINGLE): [string, ComposeService][] =>
  Object.entries(compose(files).services).filter(([, svc]) => {
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

/** The RabbitMQ nodes of a deployment: the services that run the RabbitMQ image. */
const rabbitNodes = (files: Files): [string, ComposeService][] =>
  Object.entries(compose(files).services).filter(([, svc]) => svc.image?.startsWith('rabbitmq:') ?? false);

/** How many instances Compose runs of a service. */
const instancesOf = (svc: ComposeService): number => svc.scale ?? svc.deploy?.replicas ?? 1;

/** The names other containers reach a service by on the default network: its own and its aliases. */
const dnsNamesOf = (name: string, svc: ComposeService): string[] => {
  const networks = svc.networks === undefined || Array.isArray(svc.networks) ? {} : svc.networks;
  return [name, ...(networks.default?.aliases ?? [])];
};

/** The value of a key in a rabbitmq.conf-style file (`key = value`), if it is set. */
const confValue = (conf: string, key: string): string | undefined =>
  new RegExp(`^${key.replaceAll('.', '\\.')}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(conf)?.[1];

/** The node names a rabbitmq.conf-style file lists for the classic config peer discovery. */
const classicConfigNodes = (conf: string): string[] =>
  [...conf.matchAll(/^cluster_formation\.classic_config\.nodes\.\w+\s*=\s*(\S+)\s*$/gm)].map((m) => m[1] ?? '');

/** Where a deployment's service mounts a file of the repository, if it does. */
const mountTarget = (svc: ComposeService, file: string): string | undefined =>
  mountsOf(svc).find((m) => m.source === fromRoot(file))?.target;

/** The users of rabbitmq/definitions.json, with their password hashes. */
const definitionUsers = (): { name: string; password_hash: string }[] =>
  (
    JSON.parse(readFileSync(fromRoot('rabbitmq/definitions.json'), 'utf8')) as {
      users: { name: string; password_hash: string }[];
    }
  ).users;

/** Stages of the Dockerfile's last stage onwards: the USER the runtime image ends with. */
const finalUser = (dockerfile: string): string | undefined => {
  const stages = dockerfile.split(/^FROM\s/im);
  const last = stages[stages.length - 1] ?? '';
  const users = [...last.matchAll(/^USER\s+(\S+)/gim)].map((m) => m[1]);
  return users[users.length - 1];
};

type Shape = Record<string, z.ZodType>;

/** Every service of a deployment has a health check, enabled. */
function expectHealthChecks(files: Files): void {
  for (const [name, svc] of Object.entries(compose(files).services)) {
    expect(svc.healthcheck?.test, name).to.not.equal(undefined);
    expect(svc.healthcheck?.disable ?? false, name).to.equal(false);
  }
}

/** Every dependency of a deployment is waited for until healthy, and has a health check to be so. */
function expectHealthyDependencies(files: Files): void {
  for (const [name, svc] of Object.entries(compose(files).services)) {
    const deps = svc.depends_on ?? {};
    expect(deps, `${name}: depends_on with conditions`).to.not.be.an('array');
    for (const [dep, { condition }] of Object.entries(deps as Record<string, { condition?: string }>)) {
      expect(condition, `${name} -> ${dep}`).to.equal('service_healthy');
      expect(service(dep, files).healthcheck, `${dep} has a health check`).to.not.equal(undefined);
    }
  }
}

/** Each Dockerfile service sets every variable of its `configShape`, to a value it accepts. */
async function expectConfigShapesSet(files: Files): Promise<void> {
  for (const [name, svc] of dockerfileServices(files)) {
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
}

/** Each Dockerfile service listens on every interface of its container. */
function expectListeningEverywhere(files: Files): void {
  for (const [name, svc] of dockerfileServices(files)) {
    expect(environmentOf(svc).HOST, `${name}: HOST`).to.equal('0.0.0.0');
  }
}

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
    expectHealthChecks(SINGLE);
    expect(String(service('rabbitmq').healthcheck?.test)).to.include('rabbitmq-diagnostics,-q,ping');
    expect(String(service('postgres').healthcheck?.test)).to.include('pg_isready');
  });

  it('waits for every dependency to be healthy', () => {
    expectHealthyDependencies(SINGLE);
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
      await expectConfigShapesSet(SINGLE);
    });

    it('listens on every interface of its container (HOST 0.0.0.0), so the other containers reach it', () => {
      expectListeningEverywhere(SINGLE);
    });

    it("connects to the warren vhost as the service's own AMQP user, with that user's password", () => {
      const users = definitionUsers();
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

  describe('prometheus and grafana', () => {
    const prometheusConfig = () =>
      parse(readFileSync(fromRoot('monitoring/prometheus/prometheus.yml'), 'utf8')) as {
        rule_files?: string[];
        scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
      };
    /** The repository's files a service mounts, each of which must exist. */
    const repositoryMounts = (svc: ComposeService) => mountsOf(svc).filter((m) => m.source.startsWith(ROOT));

    it('runs pinned images of Prometheus and Grafana, each with its data on a named volume', () => {
      expect(service('prometheus').image).to.match(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
      expect(service('grafana').image).to.match(/^grafana\/grafana:\d+\.\d+\.\d+$/);
      const volumes = Object.keys(compose().volumes ?? {});
      for (const [name, data] of [
        ['prometheus', '/prometheus'],
        ['grafana', '/var/lib/grafana'],
      ] as const) {
        expect(mountsOf(service(name)).find((m) => m.target === data)?.source, `${name}: ${data}`).to.be.oneOf(volumes);
      }
    });

    it('mounts configuration that exists in the repository, where each program reads it', () => {
      for (const name of ['prometheus', 'grafana']) {
        const mounts = repositoryMounts(service(name));
        expect(mounts, name).to.not.be.empty;
        for (const mount of mounts) expect(existsSync(mount.source), `${name}: ${mount.source}`).to.equal(true);
      }
      const prometheus = service('prometheus');
      const config = mountTarget(prometheus, 'monitoring/prometheus/prometheus.yml');
      expect([prometheus.command ?? []].flat()).to.include(`--config.file=${config}`);
      // rule_files are relative to the config file: they must land in the mounted rules folder.
      const rules = mountTarget(prometheus, 'monitoring/prometheus/rules');
      const ruleFiles = prometheusConfig().rule_files ?? [];
      expect(ruleFiles).to.not.be.empty;
      for (const file of ruleFiles) {
        const inContainer = new URL(file, `file://${config}`).pathname;
        expect(inContainer.startsWith(`${rules}/`), `${file} in ${rules}`).to.equal(true);
      }
      const grafana = service('grafana');
      expect(mountTarget(grafana, 'monitoring/grafana/provisioning')).to.equal('/etc/grafana/provisioning');
      const dashboards = mountTarget(grafana, 'monitoring/grafana/dashboards') ?? '';
      const provider = readFileSync(fromRoot('monitoring/grafana/provisioning/dashboards/warren.yml'), 'utf8');
      expect(provider).to.match(new RegExp(`^\\s*path: ${dashboards}$`, 'm'));
      const home = environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
      expect(home.startsWith(`${dashboards}/`), home).to.equal(true);
      expect(existsSync(fromRoot(`monitoring/grafana/dashboards/${home.slice(dashboards.length + 1)}`)), home).to.equal(
        true,
      );
    });

    it('scrapes every service built from the Dockerfile on its PORT, and RabbitMQ on 15692 with its plugin on', () => {
      const targets = prometheusConfig().scrape_configs.flatMap((job) =>
        (job.static_configs ?? []).flatMap((group) => group.targets.map((target) => ({ job: job.job_name, target }))),
      );
      for (const { job, target } of targets) {
        const [host = '', port = ''] = target.split(':');
        const svc = service(host);
        if (host === 'rabbitmq') {
          expect(port, `${job}: ${target}`).to.equal('15692');
        } else {
          expect(buildArgsOf(svc).SERVICE, `${job}: ${target} is a Warren service`).to.be.a('string');
          expect(port, `${job}: ${target}`).to.equal(environmentOf(svc).PORT);
        }
      }
      const scraped = new Set(targets.map(({ target }) => target.split(':')[0]));
      for (const [name] of dockerfileServices()) expect(scraped.has(name), `${name} is scraped`).to.equal(true);
      expect(scraped.has('rabbitmq'), 'rabbitmq is scraped').to.equal(true);
      expect(readFileSync(fromRoot('rabbitmq/enabled_plugins'), 'utf8')).to.match(/\[[^\]]*\brabbitmq_prometheus\b/);
    });

    it('gives Grafana the prometheus service as its data source, and waits for it to be healthy', () => {
      const datasources = readFileSync(fromRoot('monitoring/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
      const url = new URL(/^\s*url: (\S+)$/m.exec(datasources)?.[1] ?? '');
      expect(url.hostname).to.equal('prometheus');
      expect(Number(url.port)).to.equal(9090);
      expect(String(service('prometheus').healthcheck?.test)).to.include('9090');
      expect(service('grafana').depends_on).to.have.property('prometheus');
    });
  });
});

describe('docker-compose.cluster.yml merged over docker-compose.yml', function () {
  this.timeout(60_000);
  const clusterConf = () => readFileSync(fromRoot('rabbitmq/cluster.conf'), 'utf8');
  const nodes = () => rabbitNodes(CLUSTER);

  it('is valid: `docker-compose -f docker-compose.yml -f docker-compose.cluster.yml config` exits 0', () => {
    expect(compose(CLUSTER).services).to.be.an('object');
  });

  it("runs three RabbitMQ nodes, rabbit-1..3, with the single node's image and health check", () => {
    expect(
      nodes()
        .map(([, svc]) => svc.hostname)
        .sort(),
    ).to.deep.equal(['rabbit-1', 'rabbit-2', 'rabbit-3']);
    const single = service('rabbitmq');
    for (const [name, svc] of nodes()) {
      expect(svc.image, name).to.equal(single.image);
      expect(svc.healthcheck, name).to.deep.equal(single.healthcheck);
      // A node reaches its peers by the host part of their node names.
      expect(dnsNamesOf(name, svc), `${name}: reachable as ${svc.hostname}`).to.include(svc.hostname);
    }
  });

  it("boots every node from the single node's config, plugins and definitions, then rabbitmq/cluster.conf", () => {
    const single = service('rabbitmq');
    for (const [name, svc] of nodes()) {
      for (const file of ['rabbitmq/rabbitmq.conf', 'rabbitmq/enabled_plugins', 'rabbitmq/definitions.json']) {
        expect(mountTarget(svc, file), `${name}: ${file}`).to.equal(mountTarget(single, file));
      }
      const base = mountTarget(svc, 'rabbitmq/rabbitmq.conf') ?? '';
      const cluster = mountTarget(svc, 'rabbitmq/cluster.conf') ?? '';
      expect(cluster, `${name}: rabbitmq/cluster.conf in conf.d`).to.match(/^\/etc\/rabbitmq\/conf\.d\/[^/]+\.conf$/);
      // conf.d is read in the order of the file names: the cluster's settings come last.
      expect(base, `${name}: rabbitmq/rabbitmq.conf in conf.d`).to.match(/^\/etc\/rabbitmq\/conf\.d\//);
      expect(basename(cluster) > basename(base), `${name}: ${cluster} read after ${base}`).to.equal(true);
    }
  });

  it("keeps each node's data on a named volume of its own", () => {
    const volumes = Object.keys(compose(CLUSTER).volumes ?? {});
    const sources = nodes().map(([name, svc]) => {
      const data = mountsOf(svc).find((m) => m.target === '/var/lib/rabbitmq');
      expect(data?.source, `${name}: /var/lib/rabbitmq`).to.be.oneOf(volumes);
      return data?.source;
    });
    expect(new Set(sources).size).to.equal(3);
  });

  it('forms the cluster by the classic config list, naming exactly those three nodes', () => {
    const conf = clusterConf();
    expect(confValue(conf, 'cluster_formation.peer_discovery_backend')).to.equal('classic_config');
    const names = nodes().map(([, svc]) => `rabbit@${svc.hostname}`);
    expect(classicConfigNodes(conf).sort()).to.deep.equal(names.sort());
  });

  it('shares one Erlang cookie: each node installs the same secret as its owner-only cookie, then starts', () => {
    const secrets = new Set<string>();
    for (const [name, svc] of nodes()) {
      const names = (svc.secrets ?? []).map((secret) => (typeof secret === 'string' ? secret : (secret.source ?? '')));
      expect(names, `${name}: secrets`).to.have.length(1);
      const secret = names[0] ?? '';
      secrets.add(secret);
      const entrypoint = [svc.entrypoint ?? []].flat();
      expect(entrypoint.slice(0, 2), name).to.deep.equal(['/bin/sh', '-c']);
      // Compose prints a `$` of the value as `$$`.
      expect(entrypoint[2], name).to.match(
        new RegExp(
          `^install -m 0?400 -o rabbitmq -g rabbitmq /run/secrets/${secret} /var/lib/rabbitmq/\\.erlang\\.cookie ` +
            '&& exec docker-entrypoint\\.sh "\\$\\$?@"$',
        ),
      );
      expect(entrypoint.slice(3), name).to.deep.equal(['docker-entrypoint.sh']);
      expect([svc.command ?? []].flat(), name).to.deep.equal(['rabbitmq-server']);
    }
    expect([...secrets], 'one secret for all three').to.have.length(1);
    const file = compose(CLUSTER).secrets?.[[...secrets][0] ?? '']?.file ?? '';
    expect(file).to.equal(fromRoot('rabbitmq/erlang.cookie'));
    expect(readFileSync(file, 'utf8'), 'a cookie of 20 or more letters and digits').to.match(
      /^[A-Za-z0-9]{20,255}\n?$/,
    );
  });

  it('keeps warren.persister, a quorum queue, replicated on all three nodes', () => {
    const conf = clusterConf();
    expect(confValue(conf, 'quorum_queue.continuous_membership_reconciliation.enabled')).to.equal('true');
    expect(Number(confValue(conf, 'quorum_queue.continuous_membership_reconciliation.target_group_size'))).to.equal(
      nodes().length,
    );
    const queues = (
      JSON.parse(readFileSync(fromRoot('rabbitmq/definitions.json'), 'utf8')) as {
        queues: { name: string; durable: boolean; arguments?: Record<string, unknown> }[];
      }
    ).queues;
    // The persister's queue and the dead letters outlive a node (replicated); every queue is durable
    // (RabbitMQ 4 refuses a queue that is neither durable nor exclusive).
    const type = (name: string) => queues.find((q) => q.name === name)?.arguments?.['x-queue-type'];
    expect(type('warren.persister')).to.equal('quorum');
    expect(type('warren.dead-letter')).to.equal('quorum');
    for (const queue of queues) expect(queue.durable, queue.name).to.equal(true);
  });

  it('runs two instances of chat-api, ws-gateway and persister, and one auth', () => {
    for (const name of ['chat-api', 'ws-gateway', 'persister']) {
      const svc = service(name, CLUSTER);
      expect(instancesOf(svc), name).to.equal(2);
      // A fixed container name or host port would be taken by the first instance.
      expect(svc.container_name, `${name}: container_name`).to.equal(undefined);
      expect(publishedPorts(svc), `${name}: published ports`).to.deep.equal([]);
    }
    expect(instancesOf(service('auth', CLUSTER)), 'auth').to.equal(1);
  });

  it("points every service at the three nodes, as the service's own AMQP user, once all three are healthy", () => {
    const users = definitionUsers();
    const hosts = nodes().map(([, svc]) => svc.hostname ?? '');
    const reachable = new Set(nodes().flatMap(([name, svc]) => dnsNamesOf(name, svc)));
    for (const [name, svc] of dockerfileServices(CLUSTER)) {
      const urls = (environmentOf(svc).RABBITMQ_URL ?? '').split(',').map((url) => new URL(url.trim()));
      expect(urls.map((url) => url.hostname).sort(), `${name}: RABBITMQ_URL nodes`).to.deep.equal([...hosts].sort());
      for (const url of urls) {
        expect(reachable.has(url.hostname), `${name}: ${url.hostname} resolves`).to.equal(true);
        expect(url.port || '5672', name).to.equal('5672');
        expect(url.pathname, name).to.equal('/warren');
        const user = decodeURIComponent(url.username);
        expect(user, name).to.equal(buildArgsOf(svc).SERVICE);
        const hash = users.find((u) => u.name === user)?.password_hash ?? '';
        expect(verifyPassword(decodeURIComponent(url.password), hash), `${name}: password of ${url.hostname}`).to.equal(
          true,
        );
      }
      for (const [node] of nodes()) expect(svc.depends_on, `${name} waits for ${node}`).to.have.property(node);
    }
  });

  it('spreads /api and /ws over both instances: nginx resolves the service name, which stands for each instance', () => {
    const conf = readFileSync(fromRoot('web/nginx.conf'), 'utf8');
    expect(mountTarget(service('web', CLUSTER), 'web/nginx.conf')).to.equal(
      mountTarget(service('web'), 'web/nginx.conf'),
    );
    // Docker's DNS answers a service's name with the address of every instance; nginx asks again
    // once an answer is this old, so an instance started or gone is seen within seconds.
    const valid = /^\s*resolver\s+127\.0\.0\.11\b[^;]*\bvalid=(\d+)s\b/m.exec(conf)?.[1];
    expect(Number(valid), 'resolver valid=').to.be.within(1, 30);
    for (const [path, variable, name] of [
      ['/api/', 'chat_api_upstream', 'chat-api'],
      ['= /ws', 'ws_gateway_upstream', 'ws-gateway'],
    ] as const) {
      const svc = service(name, CLUSTER);
      expect(instancesOf(svc), name).to.equal(2);
      expect(conf, name).to.include(`set $${variable} http://${name}:${environmentOf(svc).PORT};`);
      const block = conf.slice(conf.indexOf(`location ${path} {`));
      expect(block, path).to.match(new RegExp(`^location ${path} \\{\\s*proxy_pass \\$${variable};`));
    }
  });

  it('has Prometheus scrape every instance of every service, by DNS, and every node, and count the instances', () => {
    const prometheus = service('prometheus', CLUSTER);
    const config = [prometheus.command ?? []]
      .flat()
      .find((arg) => arg.startsWith('--config.file='))
      ?.slice(14);
    const source = mountsOf(prometheus).find((m) => m.target === config)?.source ?? '';
    expect(source, 'the cluster configuration is the one mounted').to.equal(
      fromRoot('monitoring/prometheus/cluster.yml'),
    );
    const jobs = (
      parse(readFileSync(source, 'utf8')) as {
        rule_files: string[];
        scrape_configs: {
          job_name: string;
          dns_sd_configs?: { names: string[]; type: string; port: number }[];
          static_configs?: { targets: string[] }[];
        }[];
      }
    ).scrape_configs;
    for (const [name, svc] of dockerfileServices(CLUSTER)) {
      // Docker's DNS answers a service's name with every instance's address: one target each.
      const job = jobs.find((j) => j.job_name === name);
      expect(job?.dns_sd_configs, name).to.deep.equal([
        { names: [name], type: 'A', port: Number(environmentOf(svc).PORT) },
      ]);
    }
    for (const jobName of ['rabbitmq', 'rabbitmq-queues']) {
      const targets = jobs.find((j) => j.job_name === jobName)?.static_configs?.flatMap((group) => group.targets);
      const expected = nodes().map(([, svc]) => `${svc.hostname}:15692`);
      expect(targets?.sort(), jobName).to.deep.equal(expected.sort());
    }
    // The alert that counts instances expects, for each scaled service, as many as Compose runs.
    const rules = readFileSync(fromRoot('monitoring/prometheus/cluster-rules/instances.yml'), 'utf8');
    const expected = [...rules.matchAll(/up\{job="([^"]+)"\}\) or label_replace\(vector\(0\), [^)]*\)\) < (\d+)/g)];
    const scaled = dockerfileServices(CLUSTER).filter(([, svc]) => instancesOf(svc) > 1);
    expect(expected.map(([, job]) => job).sort()).to.deep.equal(scaled.map(([name]) => name).sort());
    for (const [, job, count] of expected)
      expect(Number(count), job).to.equal(instancesOf(service(job ?? '', CLUSTER)));
    expect(mountTarget(prometheus, 'monitoring/prometheus/cluster-rules')).to.equal('/etc/prometheus/cluster-rules');
  });

  it('has a health check on every service and waits for every dependency to be healthy', () => {
    expectHealthChecks(CLUSTER);
    expectHealthyDependencies(CLUSTER);
  });

  it('sets every variable of each configShape to a value the service accepts, and HOST 0.0.0.0', async () => {
    await expectConfigShapesSet(CLUSTER);
    expectListeningEverywhere(CLUSTER);
  });
});
