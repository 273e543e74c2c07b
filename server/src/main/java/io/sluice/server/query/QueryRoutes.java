package io.sluice.server.query;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Failures;
import io.sluice.server.http.Router;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Query;
import io.sluice.storage.query.QueryResult;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.SeriesRef;
import io.sluice.storage.query.Source;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The native query API (README, "Ask for it"): {@code /v1/query}, {@code /v1/series}, {@code /v1/names},
 * {@code /v1/tags/{key}/values}, {@code /v1/latest}. Every query runs on a small worker pool
 * with a bounded queue, never on an event loop; a full queue answers 503.
 */
public final class QueryRoutes {
    /** Worker threads, each holding at most one database connection while it works. */
    public static final int WORKERS = 4;
    public static final int MAX_POINTS = 100_000;
    public static final long MAX_RANGE_MICROS = 3650L * 86_400_000_000L;
    /** Parameters of /v1/query that are not tag filters. */
    private static final Set<String> RESERVED = Set.of("metric", "start", "end", "step", "points", "agg",
            "aggregation", "source", "downsample", "limit", "prefix", "nocache", "u", "p", "token");

    private final QueryService service;
    private final ThreadPoolExecutor workers;

    private final AnswerCache cache;
    private final java.time.Duration cacheTimeout;

    public QueryRoutes(QueryService service, AnswerCache cache, java.time.Duration cacheTimeout) {
        this.service = service;
        this.cache = cache;
        this.cacheTimeout = cacheTimeout;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "sluice-query-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public void register(Router router) {
        router.get("/v1/query", Scope.READ, ex -> runCached(ex, () -> query(ex)));
        router.get("/v1/series", Scope.READ, ex -> run(ex, () -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (SeriesRef r : service.series(ex.scope(), ex.query("metric"), tagFilters(ex), limit(ex, 1000, 10_000))) {
                out.add(seriesJson(r));
            }
            return Map.of("series", out);
        }));
        router.get("/v1/names", Scope.READ, ex -> run(ex, () -> Map.of("names", service.names(ex.scope(), ex.query("prefix"), limit(ex, 1000, 10_000)))));
        router.get("/v1/tags/{key}/values", Scope.READ, ex -> run(ex, () -> Map.of("key", ex.pathParam("key"),
                "values", service.tagValues(ex.scope(), ex.pathParam("key"), ex.query("metric"), limit(ex, 1000, 10_000)))));
        router.get("/v1/latest", Scope.READ, ex -> run(ex, () -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (QueryResult.Entry e : service.latest(ex.scope(), ex.query("metric"), tagFilters(ex))) {
                Map<String, Object> m = seriesJson(e.series());
                m.put("time", Instant.ofEpochSecond(0, e.points().time(0) * 1000).toString());
                m.put("value", e.points().value(0));
                out.add(m);
            }
            return Map.of("latest", out);
        }));
    }

    /** The native query service, for other query languages answered on these workers (InfluxQL). */
    public QueryService service() {
        return service;
    }

    /** Returned by work that has answered the exchange itself. */
    public static final Object ANSWERED = new Object();

    /** Work that reads the database and returns the JSON body (or {@link #ANSWERED}). */
    public interface Work {
        Object call() throws Exception;
    }

    /**
     * As {@link #run}, through the answer cache: an answer whose range ended more than a second
     * ago is kept for {@code cache_timeout}; one reaching the present for one second.
     */
    public void runCached(Exchange ex, Work work) {
        if (ex.query("nocache") != null) {
            run(ex, work); // measurements and debugging: always from the database
            return;
        }
        run(ex, () -> {
            String key = AnswerCache.key(ex.scope(), ex.request().uri());
            byte[] hit = cache.get(key);
            if (hit != null) {
                ex.jsonBytes(HttpResponseStatus.OK, hit);
                return ANSWERED;
            }
            long now = System.currentTimeMillis() * 1000;
            String end = ex.query("end") != null ? ex.query("end") : ex.query("to");
            boolean closed = end != null && Times.parse("end", end, now) < now - 1_000_000L;
            Object body = work.call();
            byte[] bytes = io.sluice.server.dropin.Answers.json(body);
            cache.put(key, bytes, closed ? cacheTimeout : java.time.Duration.ofSeconds(1));
            ex.jsonBytes(HttpResponseStatus.OK, bytes);
            return ANSWERED;
        });
    }

    /** Runs {@code work} on the pool and answers with its result, or with the error it names. */
    public void run(Exchange ex, Work work) {
        try {
            workers.execute(() -> {
                try {
                    Object body = work.call();
                    if (body != ANSWERED) {
                        ex.json(HttpResponseStatus.OK, body);
                    }
                } catch (NotFound e) {
                    ex.error(HttpResponseStatus.NOT_FOUND, "not found", e.getMessage());
                } catch (Exception e) {
                    Failures.answer(ex, e);
                }
            });
        } catch (RejectedExecutionException e) {
            if (workers.isShutdown()) {
                ex.unavailable("Sluice is shutting down; retry shortly (or on another node)", 5, Map.of());
            } else {
                ex.unavailable("too many queries waiting; retry shortly", 1, Map.of());
            }
        }
    }

    /**
     * At shutdown, before the pool closes (README "Shutdown"): takes no more queries (they are
     * answered 503 with Retry-After) and waits up to {@code wait} for those under way or queued,
     * so that none fails because the pool closed under it.
     *
     * @return whether every one finished in time
     */
    public boolean finish(java.time.Duration wait) throws InterruptedException {
        workers.shutdown();
        return workers.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Object query(Exchange ex) throws SQLException {
        String metric = ex.query("metric");
        if (metric == null || metric.isEmpty()) {
            throw new BadRequest("metric: required");
        }
        long now = System.currentTimeMillis() * 1000;
        long start = ex.query("start") == null ? now - 3_600_000_000L : Times.parse("start", ex.query("start"), now);
        long end = ex.query("end") == null ? now : Times.parse("end", ex.query("end"), now);
        if (end <= start) {
            throw new BadRequest("end: must be after start");
        }
        if (end - start > MAX_RANGE_MICROS) {
            throw new BadRequest("start: the range may span at most 3650 days");
        }
        long step = ex.query("step") == null ? 0 : Times.duration("step", ex.query("step"));
        int points = 0;
        if (ex.query("points") != null) {
            points = intParam("points", ex.query("points"), 2, MAX_POINTS);
        }
        if (step > 0 && (end - start) / step > MAX_POINTS) {
            throw new BadRequest("step: more than " + MAX_POINTS + " buckets in range; use a larger step");
        }
        String aggName = ex.query("agg") != null ? ex.query("agg") : ex.query("aggregation");
        Aggregation agg = Aggregation.parse(aggName);
        if (agg == null) {
            throw new BadRequest("agg: '" + aggName + "' is not one of avg, min, max, sum, count, last");
        }
        Source source = null;
        if (ex.query("source") != null) {
            source = Source.parse(ex.query("source"));
            if (source == null) {
                throw new BadRequest("source: '" + ex.query("source") + "' is not one of raw, 1m, 1h, 1d");
            }
        }
        String downsample = ex.query("downsample");
        if (downsample != null && !downsample.equals("lttb")) {
            throw new BadRequest("downsample: only lttb is supported");
        }
        QueryResult r = service.query(ex.scope(), new Query(metric, tagFilters(ex), start, end, step, points, agg, source));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metric", metric);
        body.put("source", r.source().label);
        body.put("start", Instant.ofEpochSecond(0, start * 1000).toString());
        body.put("end", Instant.ofEpochSecond(0, end * 1000).toString());
        body.put("step_ms", r.stepMicros() == 0 ? null : r.stepMicros() / 1000);
        body.put("aggregation", r.stepMicros() == 0 ? null : agg.name().toLowerCase());
        body.put("points_requested", points == 0 ? null : points);
        List<Map<String, Object>> series = new ArrayList<>();
        for (QueryResult.Entry e : r.series()) {
            Map<String, Object> m = seriesJson(e.series());
            m.put("points", new PointPairs(e.points()));
            series.add(m);
        }
        body.put("series", series);
        return body;
    }

    static Map<String, Object> seriesJson(SeriesRef r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", r.metric());
        m.put("tags", new TreeMap<>(r.tags()));
        return m;
    }

    /** The tag filters of a request, with its tenant's tags imposed (README "Tenants"). */
    static Map<String, String> tagFilters(Exchange ex) {
        Map<String, String> tags = new TreeMap<>();
        ex.queryParams().forEach((k, v) -> {
            if (!RESERVED.contains(k) && !v.isEmpty()) {
                tags.put(k, v.get(0));
            }
        });
        return ex.scope().narrow(tags);
    }

    static int limit(Exchange ex, int dflt, int max) {
        return ex.query("limit") == null ? dflt : intParam("limit", ex.query("limit"), 1, max);
    }

    static int intParam(String name, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new BadRequest(name + ": must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(name + ": '" + v + "' is not a whole number");
        }
    }

    public void close() {
        workers.shutdownNow();
        cache.close();
    }

    /** Thrown by work for an unknown run, server or metric; answered 404 with its message. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message, null, false, false);
        }
    }
}
