package io.sluice.server.live;

import com.lmax.disruptor.EventHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.SeriesScope;
import io.sluice.storage.ring.SampleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Live fan-out: a consumer of the ring beside the writers, so viewers never wait for the
 * database. Each sample is matched to groups through an index (metric, then tag filters) whose
 * answer is cached per series; each group coalesces for {@code coalesceMs} (or until full),
 * then encodes once and hands the frame to every member's event loop.
 *
 * <p>Frames reach the event loops through one {@link Outbox} per loop, handed over once per tick.
 *
 * <p>Threads: {@link #onEvent}/{@link #onTimeout} run on the fan-out thread and own all group
 * buffers; {@link #join}/{@link #leave} run on event loops and publish a new index
 * (copy-on-write), which the fan-out thread notices by its version.
 */
public final class LiveHub implements EventHandler<SampleEvent> {
    private static final Logger log = LoggerFactory.getLogger(LiveHub.class);
    private static final int MATCH_CACHE_MAX = 100_000;
    /** Frames held for the event loops before they are handed over even mid-batch. */
    private static final int HANDOFF_MAX = 4096;
    /**
     * Samples from other nodes waiting for the fan-out thread, at most (README, "Watch it live"):
     * a few hundred bytes each, so tens of MiB. Past it whole batches are dropped.
     */
    static final int INBOUND_MAX_SAMPLES = 100_000;
    private static final RateLimitedLog inboundDrops = new RateLimitedLog(log, 10_000);

    /** Samples seen by this node, in batches, for other nodes (set when Redis is configured). */
    public interface Bridge {
        void publish(List<RemoteSample> batch);
    }

    /** A sample as it crosses nodes: names, not ids (ids are per database but cheap to avoid). */
    public record RemoteSample(SeriesKey key, long time, double value, long step) {
    }

    private record Index(long version, Map<String, Group[]> byMetric, Group[] anyMetric, List<Group> all) {
    }

    private final SeriesRegistry registry;
    private final long coalesceNanos;
    private final int groupCapacity;
    final LiveCounters counters;
    final long slowTimeoutNanos;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final Map<GroupKey, Group> groups = new HashMap<>();
    private final AtomicInteger groupIds = new AtomicInteger();
    private final AtomicInteger viewers = new AtomicInteger();
    private final AtomicLong versions = new AtomicLong();
    private volatile Index index = new Index(0, Map.of(), new Group[0], List.of());
    private final ConcurrentLinkedQueue<List<RemoteSample>> inbound = new ConcurrentLinkedQueue<>();
    /** Samples in {@link #inbound}. */
    private final AtomicInteger inboundSamples = new AtomicInteger();
    private volatile Bridge bridge;
    private final LatestValues latest;

    // Fan-out thread only.
    private long seenVersion = -1;
    private final Map<SeriesKey, Group[]> matchCache = new HashMap<>();
    private final Map<SeriesKey, Map<String, String>> tagCache = new HashMap<>();
    private final Map<SeriesKey, byte[]> prefixCache = new HashMap<>();
    private final List<RemoteSample> outbound = new ArrayList<>();
    private final Map<EventLoop, Outbox> outboxes = new IdentityHashMap<>();
    private int handedOver;
    private long lastBridgeFlush = System.nanoTime();

    private record GroupKey(Style style, Filter filter) {
    }

    public LiveHub(SeriesRegistry registry, long coalesceMs, int groupCapacity, long slowTimeoutMs, Metrics metrics) {
        this.registry = registry;
        this.coalesceNanos = coalesceMs * 1_000_000L;
        this.groupCapacity = groupCapacity;
        this.slowTimeoutNanos = slowTimeoutMs * 1_000_000L;
        this.counters = new LiveCounters(metrics);
        this.latest = new LatestValues(registry.maxSeries());
        metrics.gauge("sluice_live_viewers", "Open live WebSocket connections.", viewers::get);
        metrics.gauge("sluice_live_subscriptions", "Distinct live subscriptions (groups of viewers).", () -> index.all.size());
    }

    public LatestValues latest() {
        return latest;
    }

    public void bridge(Bridge b) {
        this.bridge = b;
    }

    /**
     * Samples from another node, delivered here exactly as local ones (but not re-published).
     * A batch that would take the samples waiting past {@link #INBOUND_MAX_SAMPLES} is dropped
     * whole and counted: the hub falls behind what other nodes send, and memory stays bounded. A
     * batch finding nothing queued is always taken, however large.
     */
    public void remote(List<RemoteSample> batch) {
        int n = batch.size();
        while (true) {
            int queued = inboundSamples.get();
            if (queued > 0 && queued + n > INBOUND_MAX_SAMPLES) {
                counters.crossDropped.add(n);
                inboundDrops.warn("samples from other nodes dropped: the live hub falls behind them"
                        + " [samples={}, queuedSamples={}, maxQueuedSamples={}]", n, queued, INBOUND_MAX_SAMPLES);
                return;
            }
            if (inboundSamples.compareAndSet(queued, queued + n)) {
                break;
            }
        }
        inbound.add(batch);
    }

    // ---- event loop side -------------------------------------------------------------------

    Viewer open(Channel ch, SeriesScope scope) {
        Viewer v = new Viewer(ch, scope, counters, slowTimeoutNanos);
        ch.attr(Viewer.KEY).set(v);
        viewers.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            viewers.decrementAndGet();
            for (Group g : List.copyOf(v.subscriptions.values())) {
                leave(ch, g);
            }
            ch.eventLoop().execute(v::closed);
        });
        return v;
    }

    /** Adds a viewer to the group of this filter, narrowed to what the viewer may see: the one place live reads are scoped. */
    synchronized Group join(Channel ch, Style style, Filter asked) {
        Viewer viewer = ch.attr(Viewer.KEY).get();
        Filter filter = asked.within(viewer.scope);
        GroupKey key = new GroupKey(style, filter);
        Group g = groups.get(key);
        if (g == null) {
            g = new Group("s" + groupIds.incrementAndGet(), style, filter, groupCapacity);
            groups.put(key, g);
            republish();
        }
        g.join(viewer);
        return g;
    }

    synchronized void leave(Channel ch, Group g) {
        g.leave(ch.attr(Viewer.KEY).get());
        if (g.isEmpty() && groups.remove(new GroupKey(g.style, g.filter)) != null) {
            republish();
        }
    }

    private void republish() {
        Map<String, List<Group>> by = new HashMap<>();
        List<Group> any = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.filter.metrics().isEmpty()) {
                any.add(g);
            }
            for (String m : g.filter.metrics()) {
                by.computeIfAbsent(m, k -> new ArrayList<>()).add(g);
            }
        }
        Map<String, Group[]> frozen = new HashMap<>();
        by.forEach((k, v) -> frozen.put(k, v.toArray(new Group[0])));
        index = new Index(versions.incrementAndGet(), frozen, any.toArray(new Group[0]), List.copyOf(groups.values()));
    }

    // ---- fan-out thread ----------------------------------------------------------------------

    @Override
    public void onEvent(SampleEvent e, long sequence, boolean endOfBatch) {
        Index idx = current();
        boolean publishing = bridge != null;
        boolean viewing = !idx.all.isEmpty();
        for (int i = 0; i < e.count; i++) {
            int id = e.seriesIds[i];
            // A series seen before is found by its id; its key is only named for viewers or other nodes.
            boolean offered = id >= 0 && latest.offer(id, e.times[i], e.values[i]);
            if (offered && !publishing && !viewing) {
                continue;
            }
            SeriesKey key = id >= 0 ? registry.keyOf(id) : e.newKeys[i];
            if (key == null) {
                continue;
            }
            if (publishing) {
                outbound.add(new RemoteSample(key, e.times[i], e.values[i], e.steps[i]));
            }
            if (!offered) {
                latest.offer(key, id, e.times[i], e.values[i]);
            }
            if (viewing) {
                deliverLocal(idx, key, e.times[i], e.values[i], e.steps[i]);
            }
        }
        if (endOfBatch) {
            tick();
        } else if (handedOver >= HANDOFF_MAX) {
            handOver();
        }
    }

    @Override
    public void onTimeout(long sequence) {
        tick();
    }

    private void deliverLocal(Index idx, SeriesKey key, long time, double value, long step) {
        Group[] gs = matchCache.get(key);
        if (gs == null) {
            gs = match(idx, key);
            if (matchCache.size() >= MATCH_CACHE_MAX) {
                matchCache.clear();
                tagCache.clear();
                prefixCache.clear();
            }
            matchCache.put(key, gs);
        }
        for (Group g : gs) {
            if (g.add(key, time, value, step)) {
                flush(g);
            }
        }
    }

    private Group[] match(Index idx, SeriesKey key) {
        Group[] byMetric = idx.byMetric.get(key.metricString());
        if (byMetric == null && idx.anyMetric.length == 0) {
            return new Group[0];
        }
        Map<String, String> tags = tagCache.computeIfAbsent(key, SeriesKey::tags);
        List<Group> out = new ArrayList<>(2);
        for (Group[] candidates : new Group[][] {byMetric == null ? new Group[0] : byMetric, idx.anyMetric}) {
            for (Group g : candidates) {
                if (g.filter.matches(tags)) {
                    out.add(g);
                }
            }
        }
        return out.toArray(new Group[0]);
    }

    private Index current() {
        Index idx = index;
        if (idx.version != seenVersion) {
            matchCache.clear();
            seenVersion = idx.version;
        }
        return idx;
    }

    /** Flushes due groups, takes in other nodes' samples, and hands ours to the bridge. */
    private void tick() {
        Index idx = current();
        List<RemoteSample> batch;
        while ((batch = inbound.poll()) != null) {
            inboundSamples.addAndGet(-batch.size());
            counters.crossIn.inc();
            for (RemoteSample s : batch) {
                latest.offer(s.key(), s.time(), s.value());
                if (!idx.all.isEmpty()) {
                    deliverLocal(idx, s.key(), s.time(), s.value(), s.step());
                }
            }
        }
        long now = System.nanoTime();
        for (Group g : idx.all) {
            if (g.due(now, coalesceNanos)) {
                flush(g);
            }
        }
        Bridge b = bridge;
        if (b != null && !outbound.isEmpty() && (now - lastBridgeFlush >= coalesceNanos || outbound.size() >= 10_000)) {
            try {
                b.publish(List.copyOf(outbound));
                counters.crossOut.inc();
            } catch (RuntimeException ex) {
                counters.crossErrors.inc();
            }
            outbound.clear();
            lastBridgeFlush = now;
        }
        handOver();
    }

    /** Gives each event loop the frames collected for its viewers. */
    private void handOver() {
        if (handedOver == 0) {
            return;
        }
        for (Outbox o : outboxes.values()) {
            o.handOver();
        }
        handedOver = 0;
    }

    private void flush(Group g) {
        int samples = g.size();
        List<ByteBuf> frames = g.drain(alloc, tagCache, prefixCache);
        int perFrame = g.style.batched ? samples : 1;
        try {
            for (Viewer v : g.members()) {
                Outbox out = outboxes.computeIfAbsent(v.channel.eventLoop(), Outbox::new);
                for (ByteBuf f : frames) {
                    out.add(v, f.retainedDuplicate(), perFrame);
                    handedOver++;
                }
            }
        } catch (RuntimeException ex) {
            log.warn("live flush failed [group={}]", g.id, ex);
        } finally {
            for (ByteBuf f : frames) {
                f.release();
            }
        }
    }
}
