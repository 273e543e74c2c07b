package io.sluice.agent.send;

import io.sluice.agent.collect.Sample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SampleBufferTest {
    private static List<Sample> samples(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> new Sample("mem", Map.of(), "used", i, Sample.Kind.GAUGE, i)).toList();
    }

    @Test
    void whenFullTheOldestWaitingSamplesAreDroppedAndCounted() throws InterruptedException {
        SampleBuffer b = new SampleBuffer(5);
        b.add(samples(0, 8));
        assertThat(b.size()).isEqualTo(5);
        assertThat(b.dropped()).isEqualTo(3);
        List<Sample> batch = new ArrayList<>();
        b.take(batch, 10, 0);
        assertThat(batch).extracting(Sample::value).containsExactly(3.0, 4.0, 5.0, 6.0, 7.0);
    }

    @Test
    void samplesInFlightCountAgainstTheBoundUntilDone() throws InterruptedException {
        SampleBuffer b = new SampleBuffer(4);
        b.add(samples(0, 3));
        List<Sample> batch = new ArrayList<>();
        b.take(batch, 2, 0);
        b.add(samples(3, 6)); // room for one: 2 in flight + 1 waiting + 1 new; the older waiting one goes
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.dropped()).isEqualTo(2);
        b.done(2);
        assertThat(b.size()).isEqualTo(2);
        List<Sample> next = new ArrayList<>();
        b.take(next, 10, 0);
        assertThat(next).extracting(Sample::value).containsExactly(4.0, 5.0);
    }

    @Test
    void whenEverythingHeldIsInFlightANewSampleIsTheOneDropped() throws InterruptedException {
        SampleBuffer b = new SampleBuffer(2);
        b.add(samples(0, 2));
        b.take(new ArrayList<>(), 2, 0);
        b.add(samples(2, 3));
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.dropped()).isEqualTo(1);
    }

    @Test
    void takeWaitsForSamplesAtMostTheTimeGiven() throws InterruptedException {
        SampleBuffer b = new SampleBuffer(10);
        List<Sample> batch = new ArrayList<>();
        long t0 = System.nanoTime();
        b.take(batch, 10, 50);
        assertThat(batch).isEmpty();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(40_000_000L);
    }
}
