package io.sluice.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out's number writers agree with the JDK's decimal forms. */
class JsonTest {
    private static String written(Consumer<ByteBuf> w) {
        ByteBuf b = Unpooled.buffer(4); // small on purpose: digits must grow the buffer
        try {
            w.accept(b);
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void integersMatchLongToString() {
        long[] edges = {0, 9, 10, -1, -10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 999_999_999_999L};
        for (long v : edges) {
            assertThat(written(b -> Json.integer(b, v))).isEqualTo(Long.toString(v));
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertThat(written(b -> Json.integer(b, v))).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void millisAreExactDecimalsWithoutExponent() {
        assertThat(written(b -> Json.millis(b, 1_732_280_000_123_456L))).isEqualTo("1732280000123.456");
        assertThat(written(b -> Json.millis(b, 1_732_280_000_123_400L))).isEqualTo("1732280000123.4");
        assertThat(written(b -> Json.millis(b, 1_732_280_000_123_000L))).isEqualTo("1732280000123");
        assertThat(written(b -> Json.millis(b, 1_732_280_000_000_050L))).isEqualTo("1732280000000.05");
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            long micros = r.nextLong(-4_000_000_000_000_000L, 4_000_000_000_000_000L);
            String expected = BigDecimal.valueOf(micros, 3).stripTrailingZeros().toPlainString();
            assertThat(written(b -> Json.millis(b, micros))).as("micros %d", micros).isEqualTo(expected);
        }
    }

    @Test
    void wholeNumbersAreWrittenAsIntegersAndOthersAsShortestDecimals() {
        assertThat(written(b -> Json.number(b, 42.0))).isEqualTo("42");
        assertThat(written(b -> Json.number(b, 0.1 + 0.2))).isEqualTo("0.30000000000000004");
        assertThat(written(b -> Json.number(b, 2.82879384806159E17))).isEqualTo("2.82879384806159E17"); // Java 17: ...159008E17
        assertThat(written(b -> Json.number(b, -3.0))).isEqualTo("-3");
        assertThat(written(b -> Json.number(b, 0.25))).isEqualTo("0.25");
        assertThat(written(b -> Json.number(b, 1e300))).isEqualTo("1.0E300");
        assertThat(Double.parseDouble(written(b -> Json.number(b, 123456789012345.0)))).isEqualTo(123456789012345.0);
    }
}
