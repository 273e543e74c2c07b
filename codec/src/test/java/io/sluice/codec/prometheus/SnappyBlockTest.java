package io.sluice.codec.prometheus;

import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyFramedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SnappyBlockTest {
    private final SnappyBlock snappy = new SnappyBlock();

    @Test
    void decodesABlockAtAnOffset() throws IOException {
        byte[] plain = new byte[300_000];
        new Random(7).nextBytes(plain);
        Arrays.fill(plain, 1000, 200_000, (byte) 'x');
        byte[] block = Snappy.compress(plain);
        byte[] padded = new byte[block.length + 10];
        System.arraycopy(block, 0, padded, 5, block.length);
        int n = snappy.decode(padded, 5, block.length, 1 << 20);
        assertThat(n).isEqualTo(plain.length);
        assertThat(Arrays.copyOf(snappy.output(), n)).isEqualTo(plain);
        assertThat(snappy.reason()).isNull();
    }

    @Test
    void aBombIsRefusedFromItsDeclaredLengthAlone() throws IOException {
        byte[] zeros = new byte[20 << 20];
        byte[] block = Snappy.compress(zeros); // about a megabyte that decodes to 20 MiB
        assertThat(block.length).isLessThan(zeros.length / 10);
        assertThat(snappy.decode(block, 0, block.length, 16 << 20)).isEqualTo(SnappyBlock.TOO_LARGE);
        assertThat(snappy.reason()).isEqualTo("snappy block declares 20971520 bytes decoded, over the limit of 16777216");
        assertThat(snappy.output().length).as("nothing was allocated for it").isLessThan(1 << 20);
    }

    @Test
    void aLyingLengthHeaderIsCorruptNotAnOverflow() throws IOException {
        byte[] block = Snappy.compress(new byte[1000]);
        block[0] = (byte) 0x90; // claims 16 + ... bytes: the rest no longer decodes to that length
        block[1] = (byte) 0x03;
        assertThat(snappy.decode(block, 0, block.length, 1 << 20)).isEqualTo(SnappyBlock.CORRUPT);
    }

    @Test
    void theFramedFormatIsRefusedWithAHint() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnappyFramedOutputStream framed = new SnappyFramedOutputStream(out)) {
            framed.write("hello hello hello".getBytes());
        }
        byte[] b = out.toByteArray();
        assertThat(snappy.decode(b, 0, b.length, 1 << 20)).isEqualTo(SnappyBlock.CORRUPT);
        assertThat(snappy.reason()).contains("framed");
    }

    @Test
    void garbageAndTruncationAreCorrupt() throws IOException {
        byte[] block = Snappy.compress("a remote write body, a remote write body".getBytes());
        for (byte[] b : new byte[][]{new byte[0], {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1},
                Arrays.copyOf(block, block.length - 4), "plain text".getBytes()}) {
            assertThat(snappy.decode(b, 0, b.length, 1 << 20)).as(Arrays.toString(b)).isEqualTo(SnappyBlock.CORRUPT);
            assertThat(snappy.reason()).isNotBlank();
        }
    }
}
