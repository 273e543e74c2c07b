package io.sluice.server.ingest;

import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.db.WrittenSeriesCache;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Receives a parser's samples on an event loop: checks them against the limits, finds their
 * series id in the cache (or registers the series as pending), and stages them in a reusable
 * batch. One per event loop thread and parser; {@link #begin} before each document.
 *
 * <p>A series the parser names as written and this sink has resolved before is found by those
 * bytes ({@link WrittenSeriesCache}), keyed on the stamp too, since a tenant's tags replace the
 * client's: such a series already passed every check on its key.
 *
 * <p>Rejections are counted by reason; the first {@link #MAX_ERRORS} are kept for the answer.
 */
public final class IngestSink implements SampleSink {
    public static final int MAX_ERRORS = 100;

    private final Ingest ingest;
    /** Also counts refusals by protocol; null for sinks of no protocol (drop-in routes). */
    private final ProtocolCounters protocol;
    private final SampleBatch batch = new SampleBatch(1024);
    private final WrittenSeriesCache written = new WrittenSeriesCache();
    private final List<ParseError> errors = new ArrayList<>();
    private IntSupplier lineOf = () -> 0;
    private int errorCount;
    private int skippedFields;
    private long nowMicros;
    private long oldest;
    /** Older than this is beyond retention_raw (checked after {@link #oldest}, for its own reason). */
    private long retained;
    private long newest;
    private Stamp stamp = Stamp.NONE;
    private final SeriesKey stamped = new SeriesKey();

    IngestSink(Ingest ingest, ProtocolCounters protocol) {
        this.ingest = ingest;
        this.protocol = protocol;
    }

    /** Where the parser is, so limit failures can name the line. */
    public IngestSink lineSource(IntSupplier lineOf) {
        this.lineOf = lineOf;
        return this;
    }

    /** Starts a document with an empty batch. */
    public IngestSink begin() {
        return begin(Stamp.NONE);
    }

    /** Starts a document with an empty batch whose every sample gets {@code stamp}'s tags (a tenant's). */
    public IngestSink begin(Stamp stamp) {
        batch.clear();
        this.stamp = stamp;
        return next();
    }

    /** Starts another document whose samples join those already staged (UDP read loops). */
    public IngestSink next() {
        errors.clear();
        errorCount = 0;
        skippedFields = 0;
        nowMicros = System.currentTimeMillis() * 1000;
        Limits l = ingest.limits();
        oldest = l.maxAgeMicros() > 0 ? Math.max(Limits.FLOOR_MICROS, nowMicros - l.maxAgeMicros()) : Limits.FLOOR_MICROS;
        retained = nowMicros - l.retentionMicros();
        newest = nowMicros + l.maxAheadMicros();
        return this;
    }

    @Override
    public void sample(SeriesKey key, long timeMicros, double value, long step) {
        int known = written.find(key, stamp);
        if (known != SeriesRegistry.UNKNOWN) {
            // The key's own checks (tags, stamp room, length, names) passed when it was cached.
            long t = timeMicros == NO_TIME ? nowMicros : timeMicros;
            if (acceptable(t, value)) {
                batch.add(known, null, t, value, step);
            }
            return;
        }
        if (!stamp.isEmpty()) {
            key = stamp(key);
            if (key == null) {
                reject(Reject.TOO_MANY_TAGS, "no room for the token's tenant tags (" + SeriesKey.MAX_TAGS + " tags at most)");
                return;
            }
        }
        long t = timeMicros == NO_TIME ? nowMicros : timeMicros;
        if (!valueAcceptable(value)) {
            return;
        }
        if (key.tagCount() > ingest.limits().maxTags()) {
            reject(Reject.TOO_MANY_TAGS, "more than " + ingest.limits().maxTags() + " tags (max_tags)");
            return;
        }
        if (!timeAcceptable(t)) {
            return;
        }
        SeriesRegistry registry = ingest.registry();
        int id = registry.idOf(key);
        if (id != SeriesRegistry.UNKNOWN) {
            written.remember(id);
            batch.add(id, null, t, value, step);
            return;
        }
        if (key.canonicalLength() > Limits.MAX_SERIES_KEY_BYTES) {
            reject(Reject.KEY_TOO_LONG, "metric and tags together exceed " + Limits.MAX_SERIES_KEY_BYTES + " bytes");
            return;
        }
        if (containsNul(key)) {
            reject(Reject.INVALID_NAME, "names and tag values cannot contain a NUL character");
            return;
        }
        SeriesKey pending = registry.pending(key);
        if (pending == null) {
            reject(Reject.SERIES_LIMIT, "series limit reached (max_series=" + registry.maxSeries() + ")");
            return;
        }
        batch.add(SampleEvent.UNRESOLVED, pending, t, value, step);
    }

    /** The value and time checks, in the order of the full path's (whose key checks come between). */
    private boolean acceptable(long t, double value) {
        return valueAcceptable(value) && timeAcceptable(t);
    }

    private boolean valueAcceptable(double value) {
        if (!Double.isFinite(value)) {
            reject(Reject.NON_FINITE, "value is not a finite number");
            return false;
        }
        if (!Limits.storable(value)) {
            reject(Reject.OUT_OF_RANGE, "value " + value + " is out of range: magnitudes from 1e-100 to 1e100 (or 0)"
                    + " are stored, so rollup sums cannot overflow");
            return false;
        }
        return true;
    }

    private boolean timeAcceptable(long t) {
        if (t < oldest) {
            reject(Reject.TOO_OLD, t < Limits.FLOOR_MICROS ? "time is before 2000-01-01 (check the precision)"
                    : "time is older than max_sample_age");
            return false;
        }
        if (t < retained) {
            reject(Reject.BEYOND_RETENTION, "time is older than retention_raw: points beyond the retention period are not stored");
            return false;
        }
        if (t > newest) {
            reject(Reject.TOO_NEW, "time is too far in the future (max_future)");
            return false;
        }
        return true;
    }

    @Override
    public void error(ParseError error) {
        ingest.counters().rejected(Reject.PARSE).inc();
        if (protocol != null) {
            protocol.rejected(Reject.PARSE.label).inc();
        }
        errorCount++;
        if (errors.size() < MAX_ERRORS) {
            errors.add(error);
        }
    }

    @Override
    public void skippedField() {
        skippedFields++;
        ingest.counters().skippedFields.inc();
        if (protocol != null) {
            protocol.skipped("string_field").inc();
        }
    }

    private void reject(Reject reason, String text) {
        ingest.counters().rejected(reason).inc();
        if (protocol != null) {
            protocol.rejected(reason.label).inc();
        }
        errorCount++;
        if (errors.size() < MAX_ERRORS) {
            errors.add(new ParseError(lineOf.getAsInt(), 1, text, ""));
        }
    }

    /**
     * The key with the stamp's tags set, replacing any the client sent under those keys. A parser's
     * key is changed in place (it is rebuilt for the next sample anyway); a frozen one is copied.
     *
     * @return null when the key has no room for them
     */
    private SeriesKey stamp(SeriesKey key) {
        SeriesKey k = key.isFrozen() ? key.copyTo(stamped) : key;
        for (int i = 0; i < stamp.keys.length; i++) {
            byte[] tk = stamp.keys[i];
            byte[] tv = stamp.values[i];
            if (!k.tag(tk, 0, tk.length, tv, 0, tv.length)) {
                return null;
            }
        }
        return k;
    }

    private static boolean containsNul(SeriesKey key) {
        // Only on a cache miss: PostgreSQL text and jsonb cannot hold U+0000.
        if (key.metricString().indexOf('\0') >= 0) {
            return true;
        }
        for (var e : key.tags().entrySet()) {
            if (e.getKey().indexOf('\0') >= 0 || e.getValue().indexOf('\0') >= 0) {
                return true;
            }
        }
        return false;
    }

    public SampleBatch batch() {
        return batch;
    }

    public List<ParseError> errors() {
        return errors;
    }

    /** Every rejected line or sample, including those past {@link #MAX_ERRORS}. */
    public int errorCount() {
        return errorCount;
    }

    public int skippedFields() {
        return skippedFields;
    }
}
