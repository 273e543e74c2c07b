package io.sluice.server.live;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Live samples across nodes (README, "Watch it live"): each node publishes what it ingests to one Redis
 * channel in batches (one message per coalescing interval, not one per sample), and hands what
 * other nodes publish to its own viewers. A node skips its own messages, so each viewer sees each
 * sample once. Publishing never waits: with Redis down, commands are rejected at once, counted,
 * and local streaming goes on; Lettuce reconnects (and resubscribes) by itself.
 */
public final class RedisBridge implements LiveHub.Bridge, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisBridge.class);
    static final String CHANNEL = "sluice:live";
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String node = UUID.randomUUID().toString();
    private final RedisClient client;
    private final LiveHub hub;
    private final LiveCounters counters;
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-redis-connect");
        t.setDaemon(true);
        return t;
    });
    private volatile StatefulRedisConnection<String, String> pub;
    private volatile StatefulRedisPubSubConnection<String, String> sub;
    private volatile long lastErrorLog;

    public RedisBridge(String url, LiveHub hub, Metrics metrics) {
        this.hub = hub;
        this.counters = hub.counters;
        this.client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // A down Redis must not queue our batches without bound: fail them at once.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .build());
        metrics.gauge("sluice_redis_up", "1 while the live fan-out's Redis connections are open.",
                () -> pub != null && pub.isOpen() && sub != null && sub.isOpen() ? 1 : 0);
        hub.bridge(this);
        connect();
    }

    private void connect() {
        try {
            if (pub == null) {
                pub = client.connect();
            }
            if (sub == null) {
                StatefulRedisPubSubConnection<String, String> s = client.connectPubSub();
                s.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        receive(message);
                    }
                });
                s.sync().subscribe(CHANNEL);
                sub = s;
            }
            log.info("live fan-out joined other nodes through Redis [node={}, channel={}]", node, CHANNEL);
        } catch (RuntimeException e) {
            log.warn("Redis unreachable; live streaming stays local until it answers [error={}]", e.getMessage());
            retry.schedule(this::connect, 5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void publish(List<LiveHub.RemoteSample> batch) {
        StatefulRedisConnection<String, String> c = pub;
        if (c == null) {
            counters.crossErrors.inc();
            return;
        }
        String payload = encode(batch);
        c.async().publish(CHANNEL, payload).whenComplete((n, ex) -> {
            if (ex != null) {
                counters.crossErrors.inc();
                long now = System.nanoTime();
                if (now - lastErrorLog > 10_000_000_000L) {
                    lastErrorLog = now;
                    log.warn("live batch not published to Redis (counted) [error={}]", ex.toString());
                }
            }
        });
    }

    private String encode(List<LiveHub.RemoteSample> batch) {
        StringWriter w = new StringWriter(batch.size() * 64);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("node", node);
            g.writeArrayFieldStart("samples");
            for (LiveHub.RemoteSample s : batch) {
                g.writeStartArray();
                g.writeString(s.key().metricString());
                g.writeStartObject();
                for (Map.Entry<String, String> t : s.key().tags().entrySet()) {
                    g.writeStringField(t.getKey(), t.getValue());
                }
                g.writeEndObject();
                g.writeNumber(s.time());
                g.writeNumber(s.value());
                if (s.step() == SampleSink.NO_STEP) {
                    g.writeNull();
                } else {
                    g.writeNumber(s.step());
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    private void receive(String message) {
        try {
            JsonNode doc = MAPPER.readTree(message);
            if (node.equals(doc.path("node").asText())) {
                return; // our own batch: our viewers had it from our ring
            }
            List<LiveHub.RemoteSample> batch = new ArrayList<>();
            for (JsonNode s : doc.path("samples")) {
                Map<String, String> tags = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = s.get(1).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    tags.put(e.getKey(), e.getValue().asText());
                }
                batch.add(new LiveHub.RemoteSample(SeriesKey.of(s.get(0).asText(), tags), s.get(2).asLong(),
                        s.get(3).asDouble(), s.get(4).isNull() ? SampleSink.NO_STEP : s.get(4).asLong()));
            }
            hub.remote(batch);
        } catch (Exception e) {
            counters.crossErrors.inc();
        }
    }

    @Override
    public void close() {
        retry.shutdownNow();
        try {
            if (sub != null) {
                sub.close();
            }
            if (pub != null) {
                pub.close();
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
