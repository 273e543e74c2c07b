package io.sluice.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A sink that keeps everything it is given, for assertions. */
public final class Recorder implements SampleSink {
    /** A sample with its key decoded; records compare the double with Double.compare, so bit-exactly. */
    public record Sample(String metric, Map<String, String> tags, long time, double value, long step) {
        public static Sample of(String metric, Map<String, String> tags, long time, double value) {
            return new Sample(metric, tags, time, value, NO_STEP);
        }

        @Override
        public String toString() {
            return metric + tags + " " + value + " @" + (time == NO_TIME ? "now" : time) + (step == NO_STEP ? "" : " step " + step);
        }
    }

    public final List<Sample> samples = new ArrayList<>();
    public final List<SeriesKey> keys = new ArrayList<>();
    public final List<ParseError> errors = new ArrayList<>();
    public int skipped;

    @Override
    public void sample(SeriesKey key, long timeMicros, double value, long step) {
        SeriesKey k = key.frozen();
        keys.add(k);
        samples.add(new Sample(k.metricString(), k.tags(), timeMicros, value, step));
    }

    @Override
    public void error(ParseError error) {
        errors.add(error);
    }

    @Override
    public void skippedField() {
        skipped++;
    }
}
