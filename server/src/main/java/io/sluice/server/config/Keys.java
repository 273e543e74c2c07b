package io.sluice.server.config;

import io.sluice.server.net.TlsProviders;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.Protocols;
import io.sluice.storage.db.EmbeddedDatabase;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every key Sluice reads, with its default and bounds. README "Configuration" lists the same. */
final class Keys {
    static final Map<String, Key> ALL = new LinkedHashMap<>();

    static {
        intKey("http_port", 8080, 0, 65535, "HTTP and WebSocket port (0 disables)", "PORT");
        // Then each protocol's own keys (its ports first), in the order of the registry.
        for (Protocol p : Protocols.ALL) {
            for (Key k : p.keys()) {
                if (ALL.containsKey(k.name())) {
                    throw new IllegalStateException("configuration key " + k.name() + " is declared twice");
                }
                add(k);
            }
        }
        add(new Key("bind_address", Key.Type.STRING, "127.0.0.1", 0, 0, false, List.of(),
                "address to listen on; any other than loopback needs auth_tokens_file (or auth = \"off\") and udp_allow"));
        add(new Key("database_url", Key.Type.URL, null, 0, 0, true, List.of("DATABASE_URL", "TIMESCALE_URL"),
                "PostgreSQL URL; unset runs the embedded PostgreSQL"));
        add(new Key("redis_url", Key.Type.URL, null, 0, 0, true, List.of("REDIS_URL"), "Redis URL; unset: in-process"));
        add(new Key("data_dir", Key.Type.STRING, "./data", 0, 0, false, List.of(), "where the embedded PostgreSQL keeps its data"));
        intKey("embedded_pg_port", EmbeddedDatabase.DEFAULT_PORT, 0, 65535,
                "port of the embedded PostgreSQL on localhost (0: any free port; taken: a free one, with a warning)");
        add(new Key("embedded_pg_shared_buffers", Key.Type.LONG_BYTES, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS, 16L << 20, 1L << 40, false, List.of(),
                "shared_buffers of the embedded PostgreSQL (its own page cache)"));
        intKey("writers", 2, 1, 64, "writer threads, one database connection each");
        intKey("writer_batch_size", 10_000, 1, 1_000_000, "rows at most in one COPY");
        durationKey("writer_linger", "20ms", 0, 10_000, "how long a partial batch waits for more rows");
        add(new Key("write_ack", Key.Type.STRING, "auto", 0, 0, false, List.of(),
                "\"auto\" (default): \"local\" on the embedded PostgreSQL (no database_url: its data and the journal share"
                        + " one disk), \"commit\" with a database_url;"
                        + " \"commit\": a write is answered once its samples are committed; \"journal\": once a journal row holding"
                        + " them is committed, the samples written behind it (SQL sees them within journal_flush_linger);"
                        + " \"local\": once a record holding them is synced to the writer's own journal file under"
                        + " <data_dir>/journal/, the samples written behind it the same way"));
        intKey("journal_flush_samples", 262_144, 1_024, 16_777_216,
                "write_ack = journal: samples gathered before they are written as blocks (writers wait past twice it)");
        durationKey("journal_flush_linger", "200ms", 1, 60_000,
                "write_ack = journal: how long a journaled sample waits at most before it is written as blocks");
        intKey("ring_size", 4096, 64, 1 << 20, "ring slots of 256 samples each (a power of two)");
        add(new Key("max_body_bytes", Key.Type.LONG_BYTES, 16L << 20, 1024, 1L << 31, false, List.of(),
                "largest HTTP request body, as sent and after gzip decoding (413 past it)"));
        add(new Key("http_body_budget", Key.Type.LONG_BYTES, 0L, 0, 1L << 40, false, List.of(),
                "request-body bytes all HTTP connections may hold at once (503 with Retry-After past it);"
                        + " gzip bodies count their decoded bytes too; 0: a quarter of the JVM's largest heap, at least"
                        + " twice max_body_bytes + 4 MiB; never less than max_body_bytes"));
        intKey("http_max_pipelined", 16, 1, 128,
                "requests of one HTTP connection handled at once (pipelining); past it the connection is not read");
        durationKey("http_ring_wait", "1s", 0, 60_000, "how long an HTTP write waits for ring space before 503");
        durationKey("http_ack_timeout", "30s", 100, 600_000,
                "how long an HTTP write waits for its commit; then it is withdrawn and answered 503, unless a commit holds it");
        intKey("udp_readers", 2, 1, 64, "UDP sockets per port (SO_REUSEPORT) where the OS allows");
        add(new Key("udp_receive_buffer", Key.Type.LONG_BYTES, 4L << 20, 65536, 1L << 30, false, List.of(),
                "SO_RCVBUF asked for each UDP socket (the kernel may grant less; logged)"));
        intKey("max_series", 1_000_000, 1, Integer.MAX_VALUE, "series this node knows before refusing new ones");
        intKey("max_tags", 32, 0, 64, "tags per sample");
        add(new Key("chunk_interval", Key.Type.INTERVAL, "1 hour", 0, 0, false, List.of(),
                "TimescaleDB chunk interval for chunks made from now on; a chunk has no index until its time is over"));
        intKey("partitions_ahead", 3, 1, 365, "days of partitions kept ahead (plain PostgreSQL; never fewer than max_future covers)");
        add(new Key("timescale", Key.Type.BOOL, true, 0, 0, false, List.of(), "use TimescaleDB when available"));
        durationKey("retention_raw", "30d", 3_600_000, Long.MAX_VALUE / 2, "raw samples kept (older partitions dropped, older samples refused)");
        durationKey("max_sample_age", "0s", 0, Long.MAX_VALUE / 2, "refuse samples older than this (0s: any time from 2000-01-01)");
        durationKey("hot_piece", "1h", 60_000, 86_400_000, "time each hot piece of a day partition covers (plain PostgreSQL; divides a day)");
        durationKey("seal_delay", "2m", 0, 86_400_000, "how long after its time a hot piece (a chunk on TimescaleDB) gets its index (late samples mostly in)");
        add(new Key("head_memory", Key.Type.LONG_BYTES, 256L << 20, 0, 1L << 40, false, List.of(),
                "memory for the newest samples of every series, which answer queries over hot pieces (0: none)"));
        add(new Key("rollup_from_head", Key.Type.BOOL, true, 0, 0, false, List.of(),
                "1-minute rollup of the newest minutes from the head's aggregates, not raw samples read again (one node with a head)"));
        durationKey("retention_1m", "90d", 3_600_000, Long.MAX_VALUE / 2, "1-minute rollups kept (1h and 1d are kept)");
        durationKey("max_future", "7d", 0, Long.MAX_VALUE / 2, "how far ahead of now a sample's time may be");
        intKey("batch_size", 1000, 1, 1_000_000, "most metrics in one ML batch request", "BATCH_SIZE");
        add(new Key("cache_timeout", Key.Type.DURATION, Duration.ofSeconds(300), 0, Long.MAX_VALUE / 2, false,
                List.of("CACHE_TIMEOUT"), "query cache TTL (a bare number is seconds)"));
        durationKey("shutdown_timeout", "30s", 0, 3_600_000, "how long shutdown waits for the ring to drain");
        intKey("event_loop_threads", 0, 0, 256, "Netty event loop threads (0: one per core)");
        durationKey("live_coalesce", "50ms", 1, 10_000, "how long live samples are gathered before a frame is sent");
        intKey("live_batch_max", 1000, 1, 100_000, "samples in one live frame at most");
        durationKey("live_slow_timeout", "30s", 100, 3_600_000, "how long a viewer may stay unwritable before it is closed");
        durationKey("live_ping_interval", "30s", 100, 3_600_000, "idle live connections are pinged this often; silent for three times as long: closed");
        // Trust (README "Trust")
        add(new Key("auth", Key.Type.STRING, "on", 0, 0, false, List.of(),
                "\"on\": tokens from auth_tokens_file, or loopback only without them; \"off\": no token asked anywhere (warned at start)"));
        add(new Key("auth_tokens_file", Key.Type.STRING, null, 0, 0, false, List.of(),
                "TOML file of [[token]] tables (and [anonymous]); read again when it changes"));
        add(new Key("cors_allowed_origins", Key.Type.LIST, List.of(), 0, 0, false, List.of(),
                "origins whose pages may call Sluice (\"*\": any); same-origin always may"));
        add(new Key("udp_allow", Key.Type.LIST, null, 0, 0, false, List.of(),
                "CIDR blocks every listener without tokens (UDP, StatsD's TCP) takes data from; unset: loopback, required on another address"));
        for (Protocol p : Protocols.ALL) {
            if (!tokenlessPorts(p).isEmpty()) {
                add(new Key(allowKey(p.name()), Key.Type.LIST, null, 0, 0, false, List.of(),
                        "udp_allow for the " + p.name() + " protocol's listeners alone"));
            }
        }
        add(new Key("tls_cert", Key.Type.STRING, null, 0, 0, false, List.of(),
                "PEM certificate chain: the HTTP port speaks TLS (1.2, 1.3); read again when it changes"));
        add(new Key("tls_key", Key.Type.STRING, null, 0, 0, false, List.of(), "PEM private key (PKCS#8) of tls_cert"));
        add(new Key("tls_client_ca", Key.Type.STRING, null, 0, 0, false, List.of(),
                "PEM CA whose client certificates stand for the token naming their subject (client_cert_subject)"));
        add(new Key("tls_provider", Key.Type.STRING, TlsProviders.AUTO, 0, 0, false, List.of(),
                "\"auto\": BoringSSL (netty-tcnative) where it loads, else the JDK's; \"openssl\": BoringSSL or no start; \"jdk\": the JDK's"));
        durationKey("http_header_timeout", "10s", 100, 600_000, "a request's headers must arrive within this of its first byte");
        add(new Key("http_body_min_rate", Key.Type.LONG_BYTES, 1024L, 0, 1L << 30, false, List.of(),
                "bytes a second a request body must average after http_header_timeout of grace (0: no floor)"));
        durationKey("http_idle_timeout", "60s", 100, 86_400_000, "a keep-alive connection silent this long between requests is closed");
        intKey("max_connections", 10_000, 1, 1_000_000, "HTTP connections open at once; more are refused");
        intKey("max_connections_per_ip", 1024, 1, 1_000_000, "HTTP connections open at once from one address");
        intKey("live_max_viewers_per_ip", 256, 1, 1_000_000, "WebSocket viewers from one address (429 past it)");
    }

    private Keys() {
    }

    /**
     * A protocol's port keys of listeners that carry no token: {@code *_port} keys (a protocol
     * lists its ports first) but for HTTP ones ({@code *http*}), which go through the token check.
     */
    static List<String> tokenlessPorts(Protocol p) {
        return p.keys().stream().map(Key::name).filter(n -> n.endsWith("_port") && !n.contains("http")).toList();
    }

    /** The key of one protocol's own allow list (README "UDP"). */
    static String allowKey(String protocol) {
        return protocol + "_allow";
    }

    static Key byName(String name) {
        return ALL.get(name);
    }

    private static void add(Key k) {
        ALL.put(k.name(), k);
    }

    private static void intKey(String name, int def, long min, long max, String help, String... aliases) {
        add(new Key(name, Key.Type.INT, def, min, max, false, List.of(aliases), help));
    }

    private static void durationKey(String name, String def, long minMs, long maxMs, String help) {
        add(new Key(name, Key.Type.DURATION, Durations.parse(def), minMs, maxMs, false, List.of(), help));
    }
}
