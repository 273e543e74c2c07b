package io.sluice.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.sluice.storage.query.Points;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * A series' points as {@code [[epoch ms, value], ...]}, written straight from the columns:
 * a raw hour is 3,000 points, and boxing each into an {@code Object[]} of a {@code Long} and a
 * {@code Double} was most of the answer's allocation. Whole milliseconds are written as
 * integers, finer times as plain decimals.
 */
final class PointPairs extends JsonSerializable.Base {
    private final Points points;

    PointPairs(Points points) {
        this.points = points;
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        int n = points.size();
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
            g.writeNumber(points.value(i));
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer) throws IOException {
        serialize(g, provider);
    }
}
