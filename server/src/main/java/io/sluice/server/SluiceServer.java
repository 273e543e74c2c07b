package io.sluice.server;

import io.sluice.codec.SeriesKey;
import io.sluice.server.config.Config;
import io.sluice.server.dropin.DashboardRoutes;
import io.sluice.server.dropin.FleetRoutes;
import io.sluice.server.dropin.MetaRoutes;
import io.sluice.server.dropin.SharedMetricsRoute;
import io.sluice.server.dropin.TrainingRoutes;
import io.sluice.server.http.OpsRoutes;
import io.sluice.server.http.Router;
import io.sluice.server.http.WritePublisher;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.Limits;
import io.sluice.server.live.LiveHub;
import io.sluice.server.live.LiveRoutes;
import io.sluice.server.live.RedisBridge;
import io.sluice.server.net.Listeners;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.Protocols;
import io.sluice.server.query.AnswerCache;
import io.sluice.server.query.QueryRoutes;
import io.sluice.server.web.WebRoutes;
import io.sluice.storage.HotTierConfig;
import io.sluice.storage.Storage;
import io.sluice.storage.StorageConfig;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.EmbeddedDatabase;
import io.sluice.storage.db.Schema;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.writer.JournalConfig;
import io.sluice.storage.writer.WriterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sluice assembled: the order its parts start in ({@link #start}) and stop in ({@link #close}).
 * The sockets are {@link Listeners}; what a protocol is given is {@link ProtocolBinding}.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

    private final Config cfg;
    private final Metrics metrics = new Metrics();
    private EmbeddedDatabase embedded;
    private Storage storage;
    private LiveHub liveHub;
    private RedisBridge redisBridge;
    private Trust trust;
    private QueryRoutes queryRoutes;
    private Router router;
    private Listeners listeners;
    private int httpPort;
    /** Protocols' stages, closed after the listeners and before the ring drains. */
    private final List<AutoCloseable> stages = new ArrayList<>();
    private boolean closed;
    private volatile boolean closing;

    private SluiceServer(Config cfg) {
        this.cfg = cfg;
    }

    public static SluiceServer start(Config cfg) throws Exception {
        SluiceServer s = new SluiceServer(cfg);
        try {
            s.startAll();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** Database, storage and its consumers, trust, routes, then the sockets last. */
    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        // The web page's files (gzip copies, the OpenAPI text) load while the database starts: ~0.9 s cold.
        CompletableFuture<WebRoutes> web = CompletableFuture.supplyAsync(WebRoutes::load);
        var memory = ManagementFactory.getMemoryMXBean();
        metrics.gauge("sluice_jvm_heap_used_bytes", "Java heap in use.", () -> memory.getHeapMemoryUsage().getUsed());
        metrics.gauge("sluice_jvm_heap_max_bytes", "Java heap limit (-Xmx).", () -> memory.getHeapMemoryUsage().getMax());
        log.info("configuration [{}]", cfg.describe());
        DatabaseUrl url = database();
        WriterConfig wc = new WriterConfig(cfg.writers(), cfg.writerBatchSize(), cfg.writerLinger().toMillis(),
                5_000, false);
        storage = Storage.open(new StorageConfig(url, wc, cfg.ringSize(), cfg.maxSeries(), cfg.chunkInterval(),
                partitionsAhead(cfg), cfg.timescale(), cfg.shutdownTimeout(), 4 + QueryRoutes.WORKERS, cfg.retentionRaw(),
                cfg.retention1m(), new HotTierConfig(cfg.hotPiece(), cfg.sealDelay(), headMemory(cfg),
                cfg.rollupFromHead()), journalConfig()), metrics);
        liveHub = new LiveHub(storage.registry(), cfg.liveCoalesce().toMillis(), cfg.liveBatchMax(),
                cfg.liveSlowTimeout().toMillis(), metrics);
        // Live fan-out reads the same ring as the writers, in parallel: viewers never wait on the database.
        storage.addConsumer(liveHub);
        if (cfg.redisUrl() != null) {
            redisBridge = new RedisBridge(cfg.redisUrl(), liveHub, metrics);
        }
        storage.start();
        metrics.gauge("sluice_database_up", "1 while the database answers (writers' commits and a probe every 250 ms), else 0.",
                () -> storage.health().up() ? 1 : 0);

        trust = Trust.start(cfg, metrics);
        Ingest ingest = new Ingest(storage.registry(), storage.ingest(),
                new Limits(cfg.maxTags(), cfg.maxSampleAge().toNanos() / 1000, cfg.maxFuture().toNanos() / 1000,
                        cfg.retentionRaw().toNanos() / 1000),
                metrics);
        WritePublisher publisher = new WritePublisher(ingest, cfg.httpRingWait(), cfg.httpAckTimeout());
        router = routes(ingest, publisher, web);

        listeners = new Listeners(cfg, trust.http());
        // Each protocol adds its routes, listeners and stage (README "How it works: adding a protocol").
        var shared = new ProtocolBinding.Shared(cfg, metrics, ingest, publisher, router, queryRoutes, trust,
                listeners, stages);
        for (Protocol p : Protocols.ALL) {
            p.bind(new ProtocolBinding(p, shared));
        }
        if (cfg.httpPort() > 0) {
            httpPort = listeners.http(cfg.httpPort(), router);
        }
        log.info("Sluice started [http={}, listeners={}, transport={}, database={}, flavor={}, write_ack={}, ms={}]",
                httpPort, listeners.ports(), listeners.transport(), embedded != null ? "embedded" : url.masked(),
                storage.flavor(), cfg.writeAck(), (System.nanoTime() - t0) / 1_000_000);
        if (httpPort > 0) {
            String host = cfg.bindAddress().equals("0.0.0.0") || cfg.bindAddress().equals("::") ? "localhost" : cfg.bindAddress();
            log.info("web page at {}://{}:{}/ (API: /swagger)", trust.tls() ? "https" : "http", host, httpPort);
        }
    }

    /** write_ack: on the samples' commit, a journal row's, or a record synced to {@code <data_dir>/journal/}. */
    private JournalConfig journalConfig() {
        if (cfg.writeAckLocal()) {
            return JournalConfig.local(Path.of(cfg.dataDir()).resolve("journal"), cfg.journalFlushSamples(),
                    cfg.journalFlushLinger().toMillis(), JournalConfig.SEGMENT_BYTES);
        }
        return new JournalConfig(cfg.writeAckJournal(), cfg.journalFlushSamples(), cfg.journalFlushLinger().toMillis());
    }

    /** The configured database, or the embedded PostgreSQL started for want of one. */
    private DatabaseUrl database() throws IOException {
        if (cfg.databaseUrl() != null) {
            return DatabaseUrl.parse(cfg.databaseUrl());
        }
        log.info("no database_url configured: starting the embedded PostgreSQL [dataDir={}]", cfg.dataDir());
        embedded = EmbeddedDatabase.start(Path.of(cfg.dataDir()), cfg.embeddedPgPort(), cfg.embeddedPgSharedBuffers());
        // At exit the database waits for close(), which stops it after the drain.
        embedded.stopAtExitAfter(shutdownLimit().plusSeconds(2));
        return embedded.url();
    }

    /** The main HTTP port's routes: operations, native queries, the drop-in APIs, live, the web page. */
    private Router routes(Ingest ingest, WritePublisher publisher, CompletableFuture<WebRoutes> web) {
        Router routes = new Router();
        OpsRoutes ops = new OpsRoutes(metrics, storage.health(), cfg);
        ops.register(routes);
        QueryService queries = new QueryService(storage.dataSource(), storage.flavor() == Schema.Flavor.TIMESCALE);
        // Latest values come from the fan-out's memory when it has seen the series since start.
        queries.headFrom(storage.head());
        queries.latestFrom(ref -> liveHub.latest().point(SeriesKey.of(ref.metric(), ref.tags())));
        queryRoutes = new QueryRoutes(queries, AnswerCache.create(cfg.redisUrl(), metrics), cfg.cacheTimeout());
        queryRoutes.register(routes);
        // The five existing services' APIs (README, "Drop-in APIs").
        new TrainingRoutes(ingest, publisher, queryRoutes, storage.dataSource(), cfg.batchSize()).register(routes);
        new FleetRoutes(ingest, publisher, queryRoutes, storage.dataSource()).register(routes);
        new DashboardRoutes(queries, queryRoutes).register(routes);
        new SharedMetricsRoute(storage.dataSource(), queryRoutes, ops::exposition).register(routes);
        new MetaRoutes(storage.dataSource(), queryRoutes).register(routes);
        new LiveRoutes(liveHub, (int) Math.max(1, cfg.livePingInterval().toSeconds()), trust.viewers(), metrics)
                .register(routes);
        web.join().register(routes);
        return routes;
    }

    /**
     * The head's memory: none with Redis (several nodes write one database, and another node's
     * writes never reach this node's head); at most a quarter of the heap, so that a small heap
     * keeps room for everything else.
     */
    private static long headMemory(Config cfg) {
        if (cfg.redisUrl() != null || cfg.headMemory() == 0) {
            return 0;
        }
        long quarter = Runtime.getRuntime().maxMemory() / 4;
        if (cfg.headMemory() > quarter) {
            log.warn("head_memory is more than a quarter of the heap, using a quarter [headMemory={}, heapMax={}, using={}]",
                    cfg.headMemory(), Runtime.getRuntime().maxMemory(), quarter);
            return quarter;
        }
        return cfg.headMemory();
    }

    /** Days of partitions kept ahead: enough for every time max_future accepts. */
    static int partitionsAhead(Config cfg) {
        long futureDays = (cfg.maxFuture().toSeconds() + 86_399) / 86_400;
        return (int) Math.min(3660, Math.max(cfg.partitionsAhead(), futureDays + 1));
    }

    public int httpPort() {
        return httpPort;
    }

    /** {@code OPENSSL} (BoringSSL) or {@code JDK} when the HTTP port speaks TLS; null otherwise. */
    public String tlsProvider() {
        return trust.tlsProvider();
    }

    public int udpLinePort() {
        return port("udp_line");
    }

    public int udpJsonPort() {
        return port("udp_json");
    }

    /** The port a protocol's listener bound ({@code udp_line}, {@code tcp_statsd}...), or 0. */
    public int port(String transport) {
        return listeners == null ? 0 : listeners.port(transport);
    }

    /** Every HTTP route this server answers (what {@code /openapi.json} must document). */
    public List<Router.Entry> routes() {
        return router.entries();
    }

    public Metrics metrics() {
        return metrics;
    }

    public Storage storage() {
        return storage;
    }

    public LiveHub liveHub() {
        return liveHub;
    }

    public EmbeddedDatabase embeddedDatabase() {
        return embedded;
    }

    /** What shutdown may take beyond {@code shutdown_timeout}: the steps around the drain (README "Shutdown"). */
    public static final Duration SHUTDOWN_SLACK = Duration.ofSeconds(15);
    /** How long queries under way at shutdown may go on before the pool closes under them. */
    static final Duration QUERY_GRACE = Duration.ofSeconds(5);
    /** Kept for the embedded PostgreSQL's stop (a fast shutdown: its checkpoint, then exit) at the end. */
    private static final Duration EMBEDDED_STOP = Duration.ofSeconds(8);

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The most {@link #close()} takes: {@code shutdown_timeout} plus {@link #SHUTDOWN_SLACK}. */
    public Duration shutdownLimit() {
        return cfg.shutdownTimeout().plus(SHUTDOWN_SLACK);
    }

    /** Whether {@link #close()} has begun. */
    public boolean closing() {
        return closing;
    }

    /**
     * Shuts down in this order (README "Shutdown"): stops accepting, flushes the protocols'
     * stages (StatsD's interval under way) into the ring, drains the ring to the database
     * (answering the HTTP writes waiting on it), closes the pool, stops the rest, and stops the
     * embedded PostgreSQL last. Every step is bounded ({@link ShutdownSteps}), so this returns
     * within {@link #shutdownLimit()} whatever hangs; what could not be written is logged.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        long t0 = System.nanoTime();
        log.info("shutting down: no longer accepting [shutdownTimeout={}ms, limitMs={}]", cfg.shutdownTimeout().toMillis(),
                shutdownLimit().toMillis());
        ShutdownSteps steps = new ShutdownSteps(shutdownLimit());
        Duration reserve = embedded != null ? EMBEDDED_STOP : Duration.ZERO;
        if (listeners != null) {
            steps.run("stop-accepting", Duration.ofSeconds(3), reserve, listeners::stopAccepting);
        }
        // What a stage holds goes into the ring before it drains. A flush waits for ring room up to
        // http_ring_wait; stages and drain share shutdown_timeout.
        long stagesStart = System.nanoTime();
        steps.run("stages", min(cfg.httpRingWait().plusSeconds(1), cfg.shutdownTimeout()), reserve, () -> {
            for (AutoCloseable stage : stages) {
                try {
                    stage.close();
                } catch (Exception e) {
                    log.warn("a protocol stage did not close cleanly", e);
                }
            }
        });
        Duration drainTime = cfg.shutdownTimeout().minusNanos(System.nanoTime() - stagesStart);
        Duration drainBudget = drainTime.isNegative() ? Duration.ZERO : drainTime;
        boolean drained = storage == null || steps.run("drain", drainBudget.plusMillis(Storage.WRITER_GRACE_MS + 1_000),
                reserve, () -> storage.drain(drainBudget)) && storage.drain();
        if (queryRoutes != null) {
            // Queries under way finish on the pool before it closes (README "Shutdown").
            steps.run("queries", QUERY_GRACE.plusSeconds(1), reserve, () -> {
                if (!queryRoutes.finish(QUERY_GRACE)) {
                    log.info("queries still running at shutdown are cut short [graceMs={}]", QUERY_GRACE.toMillis());
                }
            });
        }
        if (storage != null) {
            // Scheduled database work under way gets its grace first (README "Shutdown").
            steps.run("pool", Duration.ofMillis(Storage.BACKGROUND_GRACE_MS).plusSeconds(5), reserve, storage::close);
        }
        if (listeners != null) {
            steps.run("http", Duration.ofSeconds(3), reserve, listeners::stopEventLoops);
        }
        if (redisBridge != null) {
            steps.run("redis", Duration.ofSeconds(2), reserve, redisBridge::close);
        }
        if (queryRoutes != null) {
            steps.run("query-cache", Duration.ofSeconds(2), reserve, queryRoutes::close);
        }
        if (trust != null) {
            steps.run("trust", Duration.ofSeconds(1), reserve, trust::close);
        }
        log.info("stopped [received={}, written={}, rejected={}, dropped={}, drained={}, ms={}]",
                metrics.total("sluice_samples_received_total"), metrics.total("sluice_samples_written_total"),
                metrics.total("sluice_samples_rejected_total"), metrics.total("sluice_samples_dropped_total"),
                drained, (System.nanoTime() - t0) / 1_000_000);
        if (embedded != null) {
            // Last: the writers and the pool are done with it (zonky's own exit hook is not registered).
            steps.run("embedded-pg", EMBEDDED_STOP, embedded::close);
        }
    }
}
