package io.sluice.codec.influx;

import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineProtocolEncoderTest {
    private static String line(String m, Map<String, String> tags, Map<String, ?> fields, long t, Precision p) {
        return LineProtocolEncoder.appendLine(new StringBuilder(), m, tags, fields, t, p).toString();
    }

    @Test
    void writesGoldenLinesWithEveryFieldType() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("f", 1.5);
        fields.put("i", 42L);
        fields.put("b", true);
        fields.put("s", "say \"hi\" C:\\");
        assertThat(line("cpu", new TreeMap<>(Map.of("host", "a", "dc", "eu")), fields, 1_500_000_000_123_456L, Precision.NANOSECONDS))
                .isEqualTo("cpu,dc=eu,host=a f=1.5,i=42i,b=t,s=\"say \\\"hi\\\" C:\\\\\" 1500000000123456000\n");
    }

    @Test
    void floatsAreTheShortestTextThatReadsBack() {
        // Java 17's Double.toString writes 2.82879384806159008E17 for the first.
        assertThat(line("m", Map.of(), Map.of("v", 2.82879384806159E17), SampleSink.NO_TIME, Precision.SECONDS))
                .isEqualTo("m v=2.82879384806159E17\n");
        assertThat(line("m", Map.of(), Map.of("v", 0.1 + 0.2), SampleSink.NO_TIME, Precision.SECONDS))
                .isEqualTo("m v=0.30000000000000004\n");
    }

    @Test
    void escapesWhatEachElementNeedsAndLeavesBackslashesAlone() {
        assertThat(line("my meas,=\\x", Map.of("k ,=", "v ,=\\y"), Map.of("f ,=", 1.0), SampleSink.NO_TIME, Precision.SECONDS))
                .isEqualTo("my\\ meas\\,=\\x,k\\ \\,\\==v\\ \\,\\=\\y f\\ \\,\\==1.0\n");
    }

    @Test
    void writesTheTimeInThePrecisionRoundedDown() {
        long t = -1_500_001L;
        assertThat(LineProtocolEncoder.fromMicros(t, Precision.NANOSECONDS)).isEqualTo(-1_500_001_000L);
        assertThat(LineProtocolEncoder.fromMicros(t, Precision.MICROSECONDS)).isEqualTo(t);
        assertThat(LineProtocolEncoder.fromMicros(t, Precision.MILLISECONDS)).isEqualTo(-1501);
        assertThat(LineProtocolEncoder.fromMicros(t, Precision.SECONDS)).isEqualTo(-2);
        assertThat(LineProtocolEncoder.fromMicros(t, Precision.MINUTES)).isEqualTo(-1);
        assertThat(LineProtocolEncoder.fromMicros(t, Precision.HOURS)).isEqualTo(-1);
    }

    @Test
    void theByteVariantWritesTheSameLineAsUtf8() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        LineProtocolEncoder.appendLine(buf, "température", Map.of("t", "é"), "value", 2.0, 5_000_000, Precision.SECONDS);
        assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)).isEqualTo("température,t=é value=2.0 5\n");
    }

    @Test
    void aStringValueMayHoldANewlineAndReadsBackAsOneLine() {
        String text = line("m", Map.of(), Map.of("s", "two\nlines", "v", 1.0), 0, Precision.SECONDS);
        io.sluice.codec.Recorder r = new io.sluice.codec.Recorder();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        new LineProtocolParser().parse(b, 0, b.length, Precision.SECONDS, r);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).hasSize(1);
        assertThat(r.skipped).isEqualTo(1);
    }

    @Test
    void refusesWhatLineProtocolCannotCarry() {
        Map<String, Object> one = Map.of("v", 1.0);
        assertThatThrownBy(() -> line("m\\", Map.of(), one, 0, Precision.SECONDS)).hasMessageContaining("backslash");
        assertThatThrownBy(() -> line("m", Map.of("k", "v\\"), one, 0, Precision.SECONDS)).hasMessageContaining("backslash");
        assertThatThrownBy(() -> line("#m", Map.of(), one, 0, Precision.SECONDS)).hasMessageContaining("'#'");
        assertThatThrownBy(() -> line("\tm", Map.of(), one, 0, Precision.SECONDS)).hasMessageContaining("control character (0x09)");
        assertThatThrownBy(() -> line("m", Map.of("k", "a\u007fb"), one, 0, Precision.SECONDS)).hasMessageContaining("0x7F");
        assertThatThrownBy(() -> line("m", Map.of("k", ""), one, 0, Precision.SECONDS)).hasMessageContaining("empty");
        assertThatThrownBy(() -> line("m\nx", Map.of(), one, 0, Precision.SECONDS)).hasMessageContaining("control character (0x0A)");
        assertThatThrownBy(() -> line("m", Map.of(), Map.of(), 0, Precision.SECONDS)).hasMessageContaining("at least one field");
        assertThatThrownBy(() -> line("m", Map.of(), Map.of("v", Double.NaN), 0, Precision.SECONDS)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> line("m", Map.of(), one, Long.MAX_VALUE, Precision.NANOSECONDS)).hasMessageContaining("nanoseconds");
    }
}
