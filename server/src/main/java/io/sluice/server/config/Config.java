package io.sluice.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sluice's settings: one immutable object, read once at start from {@code config.toml} (optional)
 * and environment variables ({@code SLUICE_<KEY>}, plus the names the existing services use),
 * validated in one pass that names every wrong key (README, "Configuration").
 */
public final class Config {
    private final Map<String, Object> values;
    private final Map<String, String> sources;

    Config(Map<String, Object> values, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    public int httpPort() {
        return (Integer) values.get("http_port");
    }

    public int udpLinePort() {
        return (Integer) values.get("udp_line_port");
    }

    public int udpJsonPort() {
        return (Integer) values.get("udp_json_port");
    }

    public String bindAddress() {
        return (String) values.get("bind_address");
    }

    /** Null when none is configured: Sluice runs its embedded PostgreSQL. */
    public String databaseUrl() {
        return (String) values.get("database_url");
    }

    public String redisUrl() {
        return (String) values.get("redis_url");
    }

    public String dataDir() {
        return (String) values.get("data_dir");
    }

    public int embeddedPgPort() {
        return (Integer) values.get("embedded_pg_port");
    }

    public long embeddedPgSharedBuffers() {
        return (Long) values.get("embedded_pg_shared_buffers");
    }

    public int writers() {
        return (Integer) values.get("writers");
    }

    public int writerBatchSize() {
        return (Integer) values.get("writer_batch_size");
    }

    public Duration writerLinger() {
        return (Duration) values.get("writer_linger");
    }

    public int ringSize() {
        return (Integer) values.get("ring_size");
    }

    public long maxBodyBytes() {
        return (Long) values.get("max_body_bytes");
    }

    public long httpBodyBudget() {
        return (Long) values.get("http_body_budget");
    }

    public int httpMaxPipelined() {
        return (Integer) values.get("http_max_pipelined");
    }

    public Duration httpRingWait() {
        return (Duration) values.get("http_ring_wait");
    }

    public Duration httpAckTimeout() {
        return (Duration) values.get("http_ack_timeout");
    }

    public int udpReaders() {
        return (Integer) values.get("udp_readers");
    }

    public int udpReceiveBuffer() {
        return (int) Math.min(Integer.MAX_VALUE, (Long) values.get("udp_receive_buffer"));
    }

    public int maxSeries() {
        return (Integer) values.get("max_series");
    }

    public int maxTags() {
        return (Integer) values.get("max_tags");
    }

    public String chunkInterval() {
        return (String) values.get("chunk_interval");
    }

    public int partitionsAhead() {
        return (Integer) values.get("partitions_ahead");
    }

    public boolean timescale() {
        return (Boolean) values.get("timescale");
    }

    public Duration retentionRaw() {
        return (Duration) values.get("retention_raw");
    }

    public Duration maxSampleAge() {
        return (Duration) values.get("max_sample_age");
    }

    public Duration hotPiece() {
        return (Duration) values.get("hot_piece");
    }

    public Duration sealDelay() {
        return (Duration) values.get("seal_delay");
    }

    public long headMemory() {
        return (Long) values.get("head_memory");
    }

    /**
     * When a write is answered: {@code commit}, {@code journal} or {@code local}. {@code auto} (the
     * default) is {@code local} on the embedded PostgreSQL, whose data directory sits beside the
     * journal's on the same disk, so syncing the journal file is as durable as PostgreSQL's commit
     * there; with a {@code database_url} the database may be another machine's, and it is
     * {@code commit} (README, "What an answer guarantees").
     */
    public String writeAck() {
        String v = (String) values.get("write_ack");
        if ("auto".equals(v)) {
            return databaseUrl() == null ? "local" : "commit";
        }
        return v;
    }

    /** Writes are answered on a journal row's commit (write_ack = journal), not on their samples'. */
    public boolean writeAckJournal() {
        return "journal".equals(writeAck());
    }

    /** Writes are answered once a record holding them is synced to the writer's journal file (write_ack = local). */
    public boolean writeAckLocal() {
        return "local".equals(writeAck());
    }

    public int journalFlushSamples() {
        return (Integer) values.get("journal_flush_samples");
    }

    public Duration journalFlushLinger() {
        return (Duration) values.get("journal_flush_linger");
    }

    public boolean rollupFromHead() {
        return (Boolean) values.get("rollup_from_head");
    }

    public Duration retention1m() {
        return (Duration) values.get("retention_1m");
    }

    public Duration maxFuture() {
        return (Duration) values.get("max_future");
    }

    public int batchSize() {
        return (Integer) values.get("batch_size");
    }

    public Duration cacheTimeout() {
        return (Duration) values.get("cache_timeout");
    }

    public Duration shutdownTimeout() {
        return (Duration) values.get("shutdown_timeout");
    }

    public int eventLoopThreads() {
        return (Integer) values.get("event_loop_threads");
    }

    public Duration liveCoalesce() {
        return (Duration) values.get("live_coalesce");
    }

    public int liveBatchMax() {
        return (Integer) values.get("live_batch_max");
    }

    public Duration liveSlowTimeout() {
        return (Duration) values.get("live_slow_timeout");
    }

    public Duration livePingInterval() {
        return (Duration) values.get("live_ping_interval");
    }

    /** Whether requests are checked at all: {@code auth = "off"} turns every check off. */
    public boolean authOff() {
        return "off".equals(values.get("auth"));
    }

    /** The token file, or null when Sluice runs without tokens. */
    public String authTokensFile() {
        return (String) values.get("auth_tokens_file");
    }

    @SuppressWarnings("unchecked")
    public List<String> corsAllowedOrigins() {
        return (List<String>) values.get("cors_allowed_origins");
    }

    /**
     * The CIDR blocks a protocol's token-less listeners (UDP, StatsD's TCP) take data from:
     * {@code <protocol>_allow}, else {@code udp_allow}, else null (loopback only; start-up has
     * already refused such a listener on another address without a list).
     */
    @SuppressWarnings("unchecked")
    public List<String> sourceAllow(String protocol) {
        List<String> own = (List<String>) values.get(Keys.allowKey(protocol));
        return own != null ? own : (List<String>) values.get("udp_allow");
    }

    public String tlsCert() {
        return (String) values.get("tls_cert");
    }

    public String tlsKey() {
        return (String) values.get("tls_key");
    }

    public String tlsClientCa() {
        return (String) values.get("tls_client_ca");
    }

    /** {@code auto}, {@code openssl} or {@code jdk} (README "TLS"). */
    public String tlsProvider() {
        return (String) values.get("tls_provider");
    }

    public Duration httpHeaderTimeout() {
        return (Duration) values.get("http_header_timeout");
    }

    /** Bytes a second; 0 for no floor. */
    public long httpBodyMinRate() {
        return (Long) values.get("http_body_min_rate");
    }

    public Duration httpIdleTimeout() {
        return (Duration) values.get("http_idle_timeout");
    }

    public int maxConnections() {
        return (Integer) values.get("max_connections");
    }

    public int maxConnectionsPerIp() {
        return (Integer) values.get("max_connections_per_ip");
    }

    public int liveMaxViewersPerIp() {
        return (Integer) values.get("live_max_viewers_per_ip");
    }

    /** Any value by key, for code that reads a key this class has no getter for yet. */
    public Object get(String key) {
        return values.get(key);
    }

    /** An INT key's value (protocols read their own keys so). */
    public int integer(String key) {
        return (Integer) values.get(key);
    }

    /** A DURATION key's value. */
    public Duration duration(String key) {
        return (Duration) values.get(key);
    }

    /** A LONG_BYTES key's value. */
    public long size(String key) {
        return (Long) values.get(key);
    }

    /** A NUMBERS key's values (a copy). */
    public double[] numbers(String key) {
        return ((double[]) values.get(key)).clone();
    }

    /** One setting as {@code /-/config} shows it: value as written in configuration, secrets masked. */
    public record Setting(String key, String value, @JsonProperty("default") String defaultValue, String source,
                          boolean secret, String help) {
    }

    /** Every key in force, in the order of the README's table, with secrets masked. */
    public List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Key k = Keys.byName(e.getKey());
            boolean secret = k != null && k.secret();
            out.add(new Setting(e.getKey(), shown(e.getValue(), k), k == null ? null : shown(k.defaultValue(), k),
                    sources.getOrDefault(e.getKey(), "default"), secret, k == null ? "" : k.help()));
        }
        return out;
    }

    /** One line for the start-up log: every key, its value (masked where secret) and where it came from. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Setting s : settings()) {
            parts.add(s.key() + "=" + s.value() + (sources.containsKey(s.key()) ? " (" + s.source() + ")" : ""));
        }
        return String.join(", ", parts);
    }

    /**
     * A value the way the README writes it ({@code 20ms}, {@code 16MiB}, {@code 8080}), null for
     * none. A secret URL keeps all but its password; any other secret is only said to be set.
     */
    private static String shown(Object v, Key k) {
        if (v == null) {
            return null;
        }
        if (k != null && k.secret()) {
            return k.type() == Key.Type.URL ? mask(v.toString()) : "****";
        }
        if (v instanceof Duration d) {
            return Durations.format(d);
        }
        if (v instanceof double[] list) {
            StringBuilder sb = new StringBuilder();
            for (double x : list) {
                sb.append(sb.length() == 0 ? "" : ", ").append(x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x));
            }
            return sb.toString();
        }
        if (v instanceof Long n && k != null && k.type() == Key.Type.LONG_BYTES) {
            return bytes(n);
        }
        return String.valueOf(v);
    }

    private static String bytes(long n) {
        String[] units = {"GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long size = 1L << (30 - 10 * i);
            if (n >= size && n % size == 0) {
                return n / size + units[i];
            }
        }
        return Long.toString(n);
    }

    private static final Pattern USER_INFO = Pattern.compile("^([^/@]*?://)([^/@]*)@");

    /**
     * A URL without its password: {@code user:****@}, {@code password=****}; a Redis URL's lone
     * userinfo is its password ({@code redis://secret@host}, as Lettuce reads it), so all of it goes.
     */
    static String mask(String url) {
        String s = url.replaceAll("(?i)(password=)[^&]*", "$1****");
        Matcher m = USER_INFO.matcher(s);
        if (!m.find()) {
            return s;
        }
        String user = m.group(2);
        int colon = user.indexOf(':');
        String shown = colon >= 0 ? user.substring(0, colon + 1) + "****"
                : s.regionMatches(true, 0, "redis", 0, 5) ? "****" : user;
        return m.group(1) + shown + "@" + s.substring(m.end());
    }
}
