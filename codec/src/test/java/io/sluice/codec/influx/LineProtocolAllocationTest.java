package io.sluice.codec.influx;

import io.sluice.codec.Allocation;
import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The good path creates no garbage: no Strings, no boxed numbers, no per-line objects. */
class LineProtocolAllocationTest {
    private static final byte[] BODY = ("""
            cpu,cpu=cpu0,host=web-01,dc=eu-west usage_user=12.5,usage_system=3.25,usage_idle=84.25 1732280000000000000
            cpu,cpu=cpu1,host=web-01,dc=eu-west usage_user=98.49246231155779,usage_idle=0.30000000000000004 1732280000000000000
            mem,host=web-01 used=8123456i,free=42u,available_percent=61.5,swapping=false 1732280000000000000
            disk,host=web-01,path=/var/lib\\ data,dev=sd\\,a used_percent=71.25,inodes=123456789i 1732280000000000000
            # a comment
            net,host=web-01,if=eth0 bytes_recv=1234567890i,err_in=0i,drop=1e-3,note="skipped, \\"quoted\\"" 1732280000000000000
            temp,room=caf\u00e9 value=21.5
            log,host=web-01 msg="two\nlines, caf\u00e9",level=3i 1732280000000000000
            """).getBytes(StandardCharsets.UTF_8);

    private long samples;

    private final SampleSink sink = new SampleSink() {
        @Override
        public void sample(SeriesKey key, long timeMicros, double value, long step) {
            samples += key.hashCode() + (long) value; // touch the key as a cache lookup would
        }

        @Override
        public void error(ParseError error) {
            throw new AssertionError(error.toString());
        }
    };

    @Test
    void parsingGoodLinesAllocatesNothing() {
        LineProtocolParser parser = new LineProtocolParser();
        for (int i = 0; i < 20_000; i++) { // let buffers grow and the JIT settle
            parser.parse(BODY, 0, BODY.length, Precision.NANOSECONDS, sink);
        }
        long allocated = Allocation.bytes(() -> {
            for (int i = 0; i < 10_000; i++) {
                parser.parse(BODY, 0, BODY.length, Precision.NANOSECONDS, sink);
            }
        });
        // 170,000 samples; a String or a boxed double per sample would be megabytes.
        assertThat(allocated).as("bytes allocated by 10,000 parses").isLessThan(16 * 1024);
        assertThat(samples).isNotZero();
    }
}
