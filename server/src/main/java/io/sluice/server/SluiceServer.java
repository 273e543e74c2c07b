package io.sluice.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.sluice.server.config.Config;
import io.sluice.server.http.HttpServerInitializer;
import io.sluice.server.http.OpsRoutes;
import io.sluice.server.http.Router;
import io.sluice.server.http.WritePublisher;
import io.sluice.server.net.SourceFilter;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.Limits;
import io.sluice.server.live.LiveHub;
import io.sluice.server.live.LiveRoutes;
import io.sluice.server.live.RedisBridge;
import io.sluice.server.query.AnswerCache;
import io.sluice.server.query.QueryRoutes;
import io.sluice.server.dropin.DashboardRoutes;
import io.sluice.server.dropin.FleetRoutes;
import io.sluice.server.dropin.MetaRoutes;
import io.sluice.server.dropin.SharedMetricsRoute;
import io.sluice.server.dropin.TrainingRoutes;
import io.sluice.storage.query.QueryService;
import io.sluice.server.udp.DatagramHandler;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.DatagramDecoder;
import io.sluice.server.protocol.LineDecoder;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.server.protocol.Protocols;
import io.sluice.server.tcp.LineStreamHandler;
import io.sluice.storage.metrics.Counter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.server.web.WebRoutes;
import io.sluice.storage.Storage;
import io.sluice.storage.HotTierConfig;
import io.sluice.storage.StorageConfig;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.EmbeddedDatabase;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.writer.WriterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sluice assembled: database, storage, ingest, HTTP and UDP listeners. */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);
    /** Connections one protocol TCP listener keeps open at most; more are closed at once and counted. */
    static final int MAX_TCP_CONNECTIONS = 1024;

    private final Config cfg;
    private final Metrics metrics = new Metrics();
    private EmbeddedDatabase embedded;
    private Storage storage;
    private LiveHub liveHub;
    private RedisBridge redisBridge;
    private Trust trust;
    private QueryRoutes queryRoutes;
    private Router router;
    private EventLoopGroup httpBoss;
    private EventLoopGroup httpWorkers;
    private EventLoopGroup udpGroup;
    private final List<Channel> listeners = new ArrayList<>();
    private int httpPort;
    /** Protocol listeners' bound ports by transport name. */
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    /** Open connections of protocols' TCP listeners, closed with the listeners. */
    private final ChannelGroup tcpConnections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Protocols' stages, closed after the listeners and before the ring drains. */
    private final List<AutoCloseable> stages = new ArrayList<>();
    private Transport transport;
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

    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        // The web page's files (gzip copies, the OpenAPI text) load while the database starts: ~0.9 s cold.
        CompletableFuture<WebRoutes> web = CompletableFuture.supplyAsync(WebRoutes::load);
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        metrics.gauge("sluice_jvm_heap_used_bytes", "Java heap in use.", () -> memory.getHeapMemoryUsage().getUsed());
        metrics.gauge("sluice_jvm_heap_max_bytes", "Java heap limit (-Xmx).", () -> memory.getHeapMemoryUsage().getMax());
        log.info("configuration [{}]", cfg.describe());
        DatabaseUrl url;
        if (cfg.databaseUrl() == null) {
            log.info("no database_url configured: starting the embedded PostgreSQL [dataDir={}]", cfg.dataDir());
            embedded = EmbeddedDatabase.start(Path.of(cfg.dataDir()), cfg.embeddedPgPort(), cfg.embeddedPgSharedBuffers());
            url = embedded.url();
            // At exit the database waits for close(), which stops it after the drain.
            embedded.stopAtExitAfter(shutdownLimit().plusSeconds(2));
        } else {
            url = DatabaseUrl.parse(cfg.databaseUrl());
        }
        WriterConfig wc = new WriterConfig(cfg.writers(), cfg.writerBatchSize(), cfg.writerLinger().toMillis(),
                5_000, false);
        storage = Storage.open(new StorageConfig(url, wc, cfg.ringSize(), cfg.maxSeries(), cfg.chunkInterval(),
                partitionsAhead(cfg), cfg.timescale(), cfg.shutdownTimeout(), 4 + QueryRoutes.WORKERS, cfg.retentionRaw(),
                cfg.retention1m(), new HotTierConfig(cfg.hotPiece(), cfg.sealDelay(), headMemory(cfg))), metrics);
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
        Router router = new Router();
        OpsRoutes ops = new OpsRoutes(metrics, storage.health(), cfg);
        ops.register(router);
        QueryService queries = new QueryService(storage.dataSource(),
                storage.flavor() == io.sluice.storage.db.Schema.Flavor.TIMESCALE);
        // Latest values come from the fan-out's memory when it has seen the series since start.
        queries.headFrom(storage.head());
        queries.latestFrom(ref -> liveHub.latest().point(io.sluice.codec.SeriesKey.of(ref.metric(), ref.tags())));
        queryRoutes = new QueryRoutes(queries, AnswerCache.create(cfg.redisUrl(), metrics), cfg.cacheTimeout());
        queryRoutes.register(router);
        WritePublisher publisher = new WritePublisher(ingest, cfg.httpRingWait(), cfg.httpAckTimeout());
        // The five existing services' APIs (README, "Drop-in APIs").
        new TrainingRoutes(ingest, publisher, queryRoutes, storage.dataSource(), cfg.batchSize()).register(router);
        new FleetRoutes(ingest, publisher, queryRoutes, storage.dataSource()).register(router);
        new DashboardRoutes(queries, queryRoutes).register(router);
        new SharedMetricsRoute(storage.dataSource(), queryRoutes, ops::exposition).register(router);
        new MetaRoutes(storage.dataSource(), queryRoutes).register(router);
        new LiveRoutes(liveHub, (int) Math.max(1, cfg.livePingInterval().toSeconds()), trust.viewers(), metrics)
                .register(router);
        web.join().register(router);
        this.router = router;

        transport = Transport.best();
        int threads = cfg.eventLoopThreads() > 0 ? cfg.eventLoopThreads() : Runtime.getRuntime().availableProcessors();
        httpBoss = transport.group(1, "sluice-accept");
        httpWorkers = transport.group(threads, "sluice-http");
        // Each protocol adds its routes, listeners and stage (README "How it works: adding a protocol").
        for (Protocol p : Protocols.ALL) {
            p.bind(new ProtocolBinding(p, ingest, publisher, router));
        }
        if (cfg.httpPort() > 0) {
            httpPort = bindHttp(cfg.httpPort(), router);
        }
        log.info("Sluice started [http={}, listeners={}, transport={}, database={}, flavor={}, ms={}]",
                httpPort, ports, transport, embedded != null ? "embedded" : url.masked(),
                storage.flavor(), (System.nanoTime() - t0) / 1_000_000);
        if (httpPort > 0) {
            String host = cfg.bindAddress().equals("0.0.0.0") || cfg.bindAddress().equals("::") ? "localhost" : cfg.bindAddress();
            log.info("web page at {}://{}:{}/ (API: /swagger)", trust.tls() ? "https" : "http", host, httpPort);
        }
    }

    /** Days of partitions kept ahead: enough for every time max_future accepts (issue 14, item 5). */
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

    static int partitionsAhead(Config cfg) {
        long futureDays = (cfg.maxFuture().toSeconds() + 86_399) / 86_400;
        return (int) Math.min(3660, Math.max(cfg.partitionsAhead(), futureDays + 1));
    }

    /** An HTTP listener answering {@code routes}: the main port, or a protocol's own. */
    private int bindHttp(int port, Router routes) throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(httpBoss, httpWorkers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpServerInitializer((int) Math.min(Integer.MAX_VALUE, cfg.maxBodyBytes()),
                        cfg.httpMaxPipelined(), routes, trust.http()))
                .bind(new InetSocketAddress(cfg.bindAddress(), port)).sync().channel();
        listeners.add(ch);
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /**
     * Binds {@code udp_readers} sockets to one port with SO_REUSEPORT (the kernel spreads
     * datagrams over them), or one socket where the transport cannot share a port.
     */
    private int bindUdp(int port, SourceFilter sources, DatagramHandler handler, String what) throws InterruptedException {
        if (udpGroup == null) {
            udpGroup = transport.group(cfg.udpReaders() * 2, "sluice-udp");
        }
        int readers = transport.reusePort() ? cfg.udpReaders() : 1;
        int bound = port;
        for (int i = 0; i < readers; i++) {
            Bootstrap b = new Bootstrap()
                    .group(udpGroup)
                    .channel(transport.datagramChannel())
                    .option(ChannelOption.SO_RCVBUF, cfg.udpReceiveBuffer())
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // Sources first, whatever the protocol: UDP carries no token (README "Trust").
                            ch.pipeline().addLast(sources, handler);
                        }
                    });
            if (transport.reusePort()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            Channel ch = b.bind(new InetSocketAddress(cfg.bindAddress(), bound)).sync().channel();
            listeners.add(ch);
            bound = ((InetSocketAddress) ch.localAddress()).getPort();
            if (i == 0) {
                int granted = ((DatagramChannel) ch).config().getReceiveBufferSize();
                log.info("UDP {} listening [port={}, readers={}, rcvbufAsked={}, rcvbufGranted={}]", what, bound,
                        readers, cfg.udpReceiveBuffer(), granted);
                if (granted < cfg.udpReceiveBuffer()) {
                    log.warn("the kernel granted a smaller UDP receive buffer than asked; bursts may be dropped"
                            + " by the kernel (raise net.core.rmem_max) [asked={}, granted={}]",
                            cfg.udpReceiveBuffer(), granted);
                }
            }
        }
        return bound;
    }

    /** What the server gives one protocol ({@link Binding}). */
    private final class ProtocolBinding implements Binding {
        private final Protocol protocol;
        private final ProtocolCounters counters;
        private final Ingest ingest;
        private final WritePublisher publisher;
        private final Router router;

        ProtocolBinding(Protocol protocol, Ingest ingest, WritePublisher publisher, Router router) {
            this.protocol = protocol;
            this.counters = new ProtocolCounters(protocol.name(), metrics);
            this.ingest = ingest;
            this.publisher = publisher;
            this.router = router;
        }

        @Override
        public Config config() {
            return cfg;
        }

        @Override
        public Ingest ingest() {
            return ingest;
        }

        @Override
        public ProtocolCounters counters() {
            return counters;
        }

        @Override
        public Metrics metrics() {
            return metrics;
        }

        @Override
        public Router router() {
            return router;
        }

        @Override
        public WritePublisher publisher() {
            return publisher;
        }

        @Override
        public int udp(String transport, int port, Supplier<DatagramDecoder> decoders) throws InterruptedException {
            if (port == 0) {
                return 0;
            }
            DatagramHandler h = new DatagramHandler(transport, decoders, ingest.counters().datagrams(transport));
            int bound = bindUdp(port, trust.sourceFilter(protocol.name(), transport), h,
                    protocol.name() + " (" + transport + ")");
            ports.put(transport, bound);
            return bound;
        }

        @Override
        public int tcpLines(String name, int port, int maxLine, Duration idle, Supplier<LineDecoder> decoders)
                throws InterruptedException {
            if (port == 0) {
                return 0;
            }
            FastThreadLocal<LineDecoder> perThread = new FastThreadLocal<>() {
                @Override
                protected LineDecoder initialValue() {
                    return decoders.get();
                }
            };
            Counter refused = counters.rejected("connection_limit");
            SourceFilter sources = trust.sourceFilter(protocol.name(), name);
            Channel ch = new ServerBootstrap()
                    .group(httpBoss, httpWorkers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            if (tcpConnections.size() >= MAX_TCP_CONNECTIONS) {
                                refused.inc();
                                c.close();
                                return;
                            }
                            tcpConnections.add(c);
                            // Sources first: a line protocol over TCP carries no token either (README "UDP").
                            c.pipeline().addLast(sources).addLast(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS))
                                    .addLast(new LineStreamHandler(maxLine, perThread, name));
                        }
                    })
                    .bind(new InetSocketAddress(cfg.bindAddress(), port)).sync().channel();
            listeners.add(ch);
            int bound = ((InetSocketAddress) ch.localAddress()).getPort();
            ports.put(name, bound);
            log.info("TCP {} listening [port={}, maxLine={}, idle={}]", protocol.name() + " (" + name + ")", bound,
                    maxLine, idle);
            return bound;
        }

        @Override
        public int http(String name, int port, Router routes) throws InterruptedException {
            if (port == 0) {
                return 0;
            }
            int bound = bindHttp(port, routes);
            ports.put(name, bound);
            log.info("HTTP {} listening [port={}, routes={}]", protocol.name() + " (" + name + ")", bound,
                    routes.entries().size());
            return bound;
        }

        @Override
        public QueryRoutes queries() {
            return queryRoutes;
        }

        @Override
        public void stage(AutoCloseable stage) {
            stages.add(stage);
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public int udpLinePort() {
        return port("udp_line");
    }

    public int udpJsonPort() {
        return port("udp_json");
    }

    /** The port a protocol's listener bound ({@code udp_line}, {@code tcp_statsd}...), or 0. */
    public int port(String transport) {
        return ports.getOrDefault(transport, 0);
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
        steps.run("stop-accepting", Duration.ofSeconds(3), reserve, () -> {
            for (Channel ch : listeners) {
                ch.close().syncUninterruptibly();
            }
            tcpConnections.close().syncUninterruptibly();
            if (udpGroup != null) {
                udpGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        });
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
        if (storage != null) {
            steps.run("pool", Duration.ofSeconds(5), reserve, storage::close);
        }
        if (httpBoss != null) {
            steps.run("http", Duration.ofSeconds(3), reserve, () -> {
                httpBoss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                httpWorkers.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
            });
        }
        if (redisBridge != null) {
            steps.run("redis", Duration.ofSeconds(2), reserve, redisBridge::close);
        }
        if (queryRoutes != null) {
            steps.run("queries", Duration.ofSeconds(2), reserve, queryRoutes::close);
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
