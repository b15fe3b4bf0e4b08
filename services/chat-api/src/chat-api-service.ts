import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Publisher } from '@warren/shared/amqp';
import type { Knex } from '@warren/shared/db';
import { HISTORY_SCHEMA, historyMigrations } from '@warren/shared/history';
import type { Logger } from '@warren/shared/logging';
import { type RunningService, startService } from '@warren/shared/service';
import { syncTopology, type TopologySyncResult } from '@warren/shared/session-topology';
import { createTokenVerifier } from '@warren/shared/tokens';
import { loginEndedRoute, membershipChangedRoute, presenceRoute } from './broker/feed-routes.ts';
import { InstanceFeed } from './broker/instance-feed.ts';
import { MembershipChanges } from './broker/membership-changes.ts';
import { MessageChangeEvents } from './broker/message-change-events.ts';
import { SessionEvents } from './broker/session-events.ts';
import { SessionTopology } from './broker/session-topology.ts';
import { startUserFeed } from './broker/user-feed.ts';
import type { ChatApiConfig } from './config.ts';
import { apiRoutes } from './http/api-routes.ts';
import { HistoryReading } from './messages/history-reading.ts';
import { MessageChanges } from './messages/message-changes.ts';
import { MessagePosting } from './messages/message-posting.ts';
import { MessageSearch } from './messages/message-search.ts';
import { PostRateLimit } from './messages/post-rate-limit.ts';
import { chatApiMetricsMiddleware, createChatApiMetrics } from './metrics.ts';
import { PresenceAggregate } from './presence/presence-aggregate.ts';
import { PresenceReading } from './presence/presence-reading.ts';
import { PresenceTracker } from './presence/presence-tracker.ts';
import { Membership } from './sessions/membership.ts';
import { MembershipCache } from './sessions/membership-cache.ts';
import { ReadMarkers } from './sessions/read-markers.ts';
import { SessionAccess } from './sessions/session-access.ts';
import { SessionChanges } from './sessions/session-changes.ts';
import { SessionLifecycle } from './sessions/session-lifecycle.ts';
import { SessionViews } from './sessions/session-views.ts';
import { typingIndicator } from './sessions/typing-indicator.ts';
import { TypingThrottle } from './sessions/typing-throttle.ts';
import { MemberStore } from './stores/member-store.ts';
import { MessageDetailsStore } from './stores/message-details-store.ts';
import { MessageHistory } from './stores/message-history.ts';
import { MessageSearchStore } from './stores/message-search-store.ts';
import { CHAT_SCHEMA, migrations } from './stores/migrations/index.ts';
import { PresenceStore } from './stores/presence-store.ts';
import { SessionStore } from './stores/session-store.ts';
import { SessionViewStore } from './stores/session-view-store.ts';
import { Transactions } from './stores/transactions.ts';
import { UserStore } from './stores/user-store.ts';
import { VisibleSessions } from './stores/visible-session.ts';
import { DenyList } from './tokens/deny-list.ts';
import { watchDenyList } from './tokens/deny-list-metrics.ts';
import { DenyListRebuild } from './tokens/deny-list-rebuild.ts';
import { denyingVerifier } from './tokens/denying-verifier.ts';
import { UserDirectory } from './users/user-directory.ts';

/**
 * Access tokens remembered as verified: a client sends the same token with every request for its
 * 15 minutes, so each is checked once. 10,000 tokens are a few MB.
 */
const VERIFIED_TOKENS_KEPT = 10_000;

/** Events of a running chat-api, for logs and tests. */
export interface ChatApiServiceEvents {
  /** The topology was rebuilt after a reconnect. */
  'topology-synced': [result: TopologySyncResult];
  /** Rebuilding the topology after a reconnect failed (it is tried again on the next one). */
  'topology-sync-failed': [error: unknown];
}

/** A running chat-api. */
export interface ChatApiService extends EventEmitter<ChatApiServiceEvents>, RunningService {
  /** Its confirming publisher (tests await its `settled` events). */
  readonly publisher: Publisher;
  /** Its copy of users (tests await its `remembered` events). */
  readonly users: UserDirectory;
  /** Its database pool (tests watch the queries a request makes). */
  readonly db: Knex;
  /** Its memberships known without a query (tests await its `forgot` and `reset` events). */
  readonly membershipCache: MembershipCache;
  /** The logins whose tokens it refuses (tests await its `rebuilt` events). */
  readonly denyList: DenyList;
  /** Its consumer of its instance queue (tests await its `ignored` and `started` events). */
  readonly instanceFeed: InstanceFeed;
  /** Its presence aggregation (tests await its `settled` events). */
  readonly presence: PresenceTracker;
  /** Rebuilds every session exchange and member binding from PostgreSQL, as at start. */
  syncTopology(): Promise<TopologySyncResult>;
}

/** What {@link startChatApiService} takes besides its configuration. */
export interface ChatApiServiceOptions {
  /**
   * How long a route naming a message that is not stored yet (seen live, still on its way to the
   * persister) waits for it before answering 404: read markers, replies, edits, deletes,
   * reactions. @defaultValue 2000
   */
  storeWaitMs?: number;
}

/**
 * Starts chat-api: migrates its schema (and `history`, whose messages it reads through the shared
 * history model, so it never fails on a missing table), connects to RabbitMQ (connection name `chat-api`), consumes its users
 * queue, rebuilds the session topology from PostgreSQL, and listens. Rejects at once, naming the
 * URL, when the database or the broker cannot be reached.
 */
export function startChatApiService(
  config: ChatApiConfig,
  logger: Logger,
  options: ChatApiServiceOptions = {},
): Promise<ChatApiService> {
  const database = {
    url: config.DATABASE_URL,
    schemas: [
      { schema: CHAT_SCHEMA, migrations },
      { schema: HISTORY_SCHEMA, migrations: historyMigrations },
    ],
  };
  return startService({ name: 'chat-api', config, logger, database }, async ({ db, amqp, registry, resources }) => {
    const publisher = new Publisher(amqp, { registry, confirmTimeoutMs: config.CONFIRM_TIMEOUT_MS });
    const users = new UserDirectory(new UserStore(db), logger);
    const feed = await startUserFeed(amqp, users, {
      prefetch: config.USERS_PREFETCH,
      retryMs: config.USERS_RETRY_MS,
      logger,
    });
    resources.add('user feed', feed.stop);

    const sync = () => syncTopology({ db, amqp, logger });
    await sync();

    const transactions = new Transactions(db);
    const sessions = new SessionStore(db);
    const members = new MemberStore(db);
    const history = new MessageHistory(db, options.storeWaitMs);
    const details = new MessageDetailsStore(db);
    const membershipCache = new MembershipCache({
      size: config.MEMBERSHIP_CACHE_SIZE,
      ttlMs: config.MEMBERSHIP_CACHE_TTL_MS,
    });
    const membershipChanges = new MembershipChanges({
      publisher,
      publisherUser: amqp.user,
      cache: membershipCache,
      logger,
      registry,
    });
    const access = new SessionAccess(new VisibleSessions(db), members, membershipCache);
    const events = new SessionEvents({
      publisher,
      publisherUser: amqp.user,
      logger,
      registry,
      typingExpirationMs: config.TYPING_EXPIRATION_MS,
    });
    const changes = new SessionChanges({
      sessions,
      members,
      history,
      topology: new SessionTopology(amqp),
      events,
      membershipChanges,
    });
    const verifier = createTokenVerifier({
      jwksUrl: `${config.AUTH_URL.replace(/\/+$/, '')}/auth/.well-known/jwks.json`,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      cacheSize: VERIFIED_TOKENS_KEPT,
    });
    const denyList = new DenyList({ maxEntries: config.DENY_LIST_SIZE, skewMarginMs: config.DENY_LIST_SKEW_MS });
    watchDenyList(denyList, config.DENY_LIST_SIZE, logger, registry);
    const rebuild = new DenyListRebuild({ authUrl: config.AUTH_URL, denyList, logger, registry });
    resources.add('deny list rebuild', () => rebuild.stop());
    const presenceStore = new PresenceStore(db);
    const presence = new PresenceTracker({
      aggregate: new PresenceAggregate({
        offlineDelayMs: config.PRESENCE_OFFLINE_DELAY_MS,
        graceMs: config.PRESENCE_GATEWAY_GRACE_MS,
        warmupMs: config.PRESENCE_WARMUP_MS,
        now: Date.now,
      }),
      store: presenceStore,
      events,
      fanoutMaxMembers: config.PRESENCE_FANOUT_MAX_MEMBERS,
      logger,
      registry,
    });
    const instanceFeed = new InstanceFeed({
      routes: [
        membershipChangedRoute(membershipChanges, amqp.user),
        loginEndedRoute(denyList, config.AUTH_AMQP_USER),
        presenceRoute(presence, config.GATEWAY_AMQP_USER),
      ],
      logger,
      registry,
    });
    instanceFeed.on('started', (first) => {
      membershipCache.reset(true);
      presence.begin();
      // Logins that ended while the queue was gone were not heard: auth's record has them.
      if (!first) void rebuild.request();
    });
    instanceFeed.on('lost', () => {
      membershipCache.reset(false);
      presence.suspend();
    });
    presence.start();
    resources.add('presence', () => presence.stop());
    resources.add('instance feed', await instanceFeed.follow(amqp, randomUUID()));
    // Consuming first, so no login.ended falls between auth's answer and the first event heard.
    // One attempt is awaited (auth answers at once, up or down), then retried in the background:
    // until one succeeds, authenticated requests answer 503.
    if (!(await rebuild.attempt())) void rebuild.request();
    const routes = apiRoutes(
      {
        access,
        views: new SessionViews({ views: new SessionViewStore(db, details), members }),
        reading: new HistoryReading(history, details),
        users,
        lifecycle: new SessionLifecycle({ transactions, logger, access, sessions, members, users, changes, events }),
        membership: new Membership({ transactions, logger, access, members, users, changes, events }),
        posting: new MessagePosting({ publisher, publisherUser: amqp.user, history, details }),
        changes: new MessageChanges({
          events: new MessageChangeEvents({ publisher, publisherUser: amqp.user }),
          history,
          details,
        }),
        readMarkers: new ReadMarkers({ members, history, events }),
        postRateLimit: new PostRateLimit({ ratePerSec: config.POST_RATE_PER_SEC, burst: config.POST_BURST }),
        typing: typingIndicator(new TypingThrottle({ intervalMs: config.TYPING_INTERVAL_MS }), events),
        search: new MessageSearch(new MessageSearchStore(db), details),
        presence: new PresenceReading(presenceStore),
      },
      denyingVerifier(verifier, denyList),
      { denyList, rebuild },
    );

    const metrics = chatApiMetricsMiddleware(createChatApiMetrics(registry, publisher));
    const service = Object.assign(new EventEmitter<ChatApiServiceEvents>(), {
      publisher,
      users,
      db,
      membershipCache,
      denyList,
      instanceFeed,
      presence,
      syncTopology: sync,
    });
    // A broker that comes back may have lost its definitions (a new node, a reset): rebuild them.
    const resync = () => {
      sync().then(
        (result) => service.emit('topology-synced', result),
        (error: unknown) => {
          logger.error({ err: error }, 'could not rebuild the session topology after reconnecting');
          service.emit('topology-sync-failed', error);
        },
      );
    };
    return {
      routes: (app) => app.use('/api', metrics, routes),
      listening: () => {
        amqp.on('connected', resync);
        resources.add('topology resync', () => {
          amqp.off('connected', resync);
        });
      },
      service,
    };
  });
}
