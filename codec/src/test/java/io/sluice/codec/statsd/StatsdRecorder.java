package io.sluice.codec.statsd;

import io.sluice.codec.ParseError;
import io.sluice.codec.SeriesKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes back what the parser gives as text, one line per value or error, for golden comparisons. */
final class StatsdRecorder implements StatsdSink {
    final List<String> out = new ArrayList<>();
    final List<ParseError> errors = new ArrayList<>();
    int events;
    int checks;

    @Override
    public void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
        out.add(key.frozen() + " " + type.letters() + " " + (relative && value >= 0 ? "+" : "") + value
                + (sampleRate != 1 ? " @" + sampleRate : ""));
    }

    @Override
    public void setMember(SeriesKey key, byte[] buf, int off, int len) {
        out.add(key.frozen() + " s '" + new String(buf, off, len, StandardCharsets.UTF_8) + "'");
    }

    @Override
    public void error(ParseError error) {
        errors.add(error);
        out.add("error " + error.line() + ":" + error.position() + " " + error.reason());
    }

    @Override
    public void skipped(Skipped what) {
        if (what == Skipped.EVENT) {
            events++;
        } else {
            checks++;
        }
        out.add("skipped " + what);
    }

    static StatsdRecorder parse(StatsdParser p, String text) {
        StatsdRecorder r = new StatsdRecorder();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        p.parse(b, 0, b.length, r);
        return r;
    }
}
