package io.sluice.codec.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Rfc3339Test {
    private static final long SEED = Long.getLong("sluice.seed", 0x5EED_2024_1122L);

    private static long parse(String s) {
        return Rfc3339.parse(s.toCharArray(), 0, s.length());
    }

    @Test
    void agreesWithJavaTimeOnRandomInstantsOffsetsAndFractions() {
        Random r = new Random(SEED);
        long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9998-12-31T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(min + (long) (r.nextDouble() * (max - min)), r.nextInt(1_000_000_000));
            ZoneOffset zone = ZoneOffset.ofTotalSeconds((r.nextInt(35) - 17) * 3600 + (r.nextBoolean() ? 0 : 30 * 60));
            String s = OffsetDateTime.ofInstant(t, zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            long expected = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
            assertThat(parse(s)).as("seed %d: %s", SEED, s).isEqualTo(expected);
        }
    }

    @Test
    void fractionsFinerThanMicrosecondsAreCutAndShorterOnesScaled() {
        assertThat(parse("1970-01-01T00:00:00.1Z")).isEqualTo(100_000);
        assertThat(parse("1970-01-01T00:00:00.000001999Z")).isEqualTo(1);
        assertThat(parse("1969-12-31T23:59:59.9999999Z")).isEqualTo(-1);
        assertThat(parse("1970-01-01T00:00:00.123456789123456789Z")).isEqualTo(123_456);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2024-11-22", "2024-11-22T12:00:00", "2024-11-22T12:00Z", "2024-11-22T12:00:00.Z",
            "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
            "2024-11-22T24:00:00Z", "2024-11-22T12:60:00Z", "2024-11-22T12:00:61Z", "2024-11-22X12:00:00Z",
            "2024-11-22T12:00:00+0200", "2024-11-22T12:00:00+24:00", "2024-11-22T12:00:00+02:60",
            "2024-11-22T12:00:00ZZ", "2024-11-22T12:00:00Z ", " 2024-11-22T12:00:00Z", "+2024-11-22T12:00:00Z",
            "2024-1-22T12:00:00Z", "2024-11-22T12:00:00.5", "1732280000"})
    void whatIsNotAnRfc3339DateTimeIsInvalid(String s) {
        assertThat(parse(s)).isEqualTo(Rfc3339.INVALID);
    }

    @Test
    void readsFromAnOffsetInTheBuffer() {
        char[] c = "xx2000-01-01T00:00:00Zyy".toCharArray();
        assertThat(Rfc3339.parse(c, 2, 20)).isEqualTo(946_684_800_000_000L);
    }
}
