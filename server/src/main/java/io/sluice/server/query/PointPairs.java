package io.sluice.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.sluice.codec.DoubleText;
import io.sluice.storage.query.Points;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * A series' points as {@code [[epoch ms, value], ...]}, written straight from the columns:
 * a raw hour is 3,000 points, and boxing each into an {@code Object[]} of a {@code Long} and a
 * {@code Double} was most of the answer's allocation. Whole milliseconds are written as
 * integers, finer times as plain decimals. Values go through {@link DoubleText}: Jackson's own
 * double writer made a {@code String} and a converter object per value (37 % of what a raw
 * hour allocated, async-profiler).
 */
final class PointPairs extends JsonSerializable.Base {
    private final Points points;

    PointPairs(Points points) {
        this.points = points;
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        int n = points.size();
        byte[] digits = new byte[DoubleText.MAX_LENGTH];
        char[] text = new char[DoubleText.MAX_LENGTH];
        g.writeStartArray(points, n);
        for (int i = 0; i < n; i++) {
            g.writeStartArray(null, 2);
            long t = points.time(i);
            if (t % 1000 == 0) {
                g.writeNumber(t / 1000);
            } else {
                // Plain decimal milliseconds: as a double this came out as 1.795429959745057E12.
                g.writeNumber(BigDecimal.valueOf(t, 3).stripTrailingZeros().toPlainString());
            }
            double v = points.value(i);
            if (Double.isFinite(v)) {
                int len = DoubleText.write(v, digits, 0);
                for (int j = 0; j < len; j++) {
                    text[j] = (char) digits[j];
                }
                g.writeRawValue(text, 0, len);
            } else {
                g.writeNumber(v); // never stored by ingest; Jackson decides how to spell it
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer) throws IOException {
        serialize(g, provider);
    }
}
