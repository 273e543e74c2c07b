package io.sluice.server.query;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.sluice.server.auth.Credentials;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.SeriesScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Query answers kept for a while: answers over closed ranges for {@code cache_timeout}
 * ({@code CACHE_TIMEOUT}), answers reaching the present for one second. In Redis when
 * {@code REDIS_URL} is set (shared by every node), else in this process (bounded, LRU).
 * Used only from query workers, never from an event loop; a Redis failure is a miss.
 */
public abstract class AnswerCache implements AutoCloseable {
    private final Counter hits;
    private final Counter misses;

    AnswerCache(Metrics m, String kind) {
        hits = m.counter("sluice_query_cache_total", "Query answers looked up in the cache.", "result", "hit", "store", kind);
        misses = m.counter("sluice_query_cache_total", "Query answers looked up in the cache.", "result", "miss", "store", kind);
    }

    public final byte[] get(String key) {
        byte[] v = lookup(key);
        (v == null ? misses : hits).inc();
        return v;
    }

    abstract byte[] lookup(String key);

    public abstract void put(String key, byte[] value, Duration ttl);

    @Override
    public void close() {
    }

    public static AnswerCache create(String redisUrl, Metrics metrics) {
        return redisUrl == null ? new Local(metrics, 10_000, 64L << 20) : new Redis(redisUrl, metrics);
    }

    /** In-process: at most {@code maxEntries} answers and {@code maxBytes} bytes, least recently used out first. */
    static final class Local extends AnswerCache {
        private record Entry(byte[] value, long expiresAtNanos) {
        }

        private final int maxEntries;
        private final long maxBytes;
        private long bytes;
        private final LinkedHashMap<String, Entry> map = new LinkedHashMap<>(256, 0.75f, true);

        Local(Metrics m, int maxEntries, long maxBytes) {
            super(m, "local");
            this.maxEntries = maxEntries;
            this.maxBytes = maxBytes;
        }

        @Override
        synchronized byte[] lookup(String key) {
            Entry e = map.get(key);
            if (e == null) {
                return null;
            }
            if (System.nanoTime() - e.expiresAtNanos > 0) {
                map.remove(key);
                bytes -= e.value.length;
                return null;
            }
            return e.value;
        }

        @Override
        public synchronized void put(String key, byte[] value, Duration ttl) {
            if (value.length > maxBytes / 16) {
                return; // one huge answer must not flush everything else
            }
            Entry old = map.put(key, new Entry(value, System.nanoTime() + ttl.toNanos()));
            bytes += value.length - (old == null ? 0 : old.value.length);
            var it = map.entrySet().iterator();
            while ((map.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
                Map.Entry<String, Entry> eldest = it.next();
                bytes -= eldest.getValue().value.length;
                it.remove();
            }
        }
    }

    /** Shared by every node through Redis; keys expire in Redis itself. */
    static final class Redis extends AnswerCache {
        private static final Logger log = LoggerFactory.getLogger(Redis.class);
        private final RedisClient client;
        private final StatefulRedisConnection<String, byte[]> conn;
        private final Counter errors;

        Redis(String url, Metrics m) {
            super(m, "redis");
            errors = m.counter("sluice_query_cache_errors_total", "Redis cache calls that failed (treated as misses).");
            RedisURI uri = RedisURI.create(url);
            uri.setTimeout(Duration.ofMillis(250));
            client = RedisClient.create(uri);
            client.setOptions(ClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            StatefulRedisConnection<String, byte[]> c = null;
            try {
                c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            } catch (RuntimeException e) {
                log.warn("Redis cache unreachable at start; answers are computed until it is [error={}]", e.getMessage());
            }
            conn = c;
        }

        @Override
        byte[] lookup(String key) {
            if (conn == null) {
                return null;
            }
            try {
                return conn.sync().get(key);
            } catch (RuntimeException e) {
                errors.inc();
                return null;
            }
        }

        @Override
        public void put(String key, byte[] value, Duration ttl) {
            if (conn == null) {
                return;
            }
            try {
                conn.async().set(key, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())));
            } catch (RuntimeException e) {
                errors.inc();
            }
        }

        @Override
        public void close() {
            if (conn != null) {
                conn.close();
            }
            client.shutdown(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * The key of an answer: the request's path and query without the credentials it may carry
     * ({@code u}, {@code p}, {@code token}: a secret must not become a Redis key), prefixed with
     * the series its principal may see, so tenants never share an answer.
     */
    static String key(SeriesScope scope, String uri) {
        StringBuilder sb = new StringBuilder("sluice:answer:");
        if (!scope.unrestricted()) {
            sb.append(new TreeMap<>(scope.required())).append(':');
        }
        // Raw (still percent-encoded) parameters, so that no decoded value can pass for two.
        return sb.append(Credentials.withoutSecrets(uri)).toString();
    }
}
