package io.sluice.agent.collect;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CounterRatesTest {
    @Test
    void aRisingCounterGivesItsIncreasePerSecond() {
        CounterRates r = new CounterRates(64);
        r.beginRound();
        assertThat(r.rate("eth0/rx", 1_000, 10_000)).as("first reading: no rate").isNaN();
        r.endRound();
        r.beginRound();
        assertThat(r.rate("eth0/rx", 6_000, 20_000)).isEqualTo(500.0);
        r.endRound();
        r.beginRound();
        assertThat(r.rate("eth0/rx", 6_000, 30_000)).as("idle").isEqualTo(0.0);
    }

    @Test
    void a32BitCounterThatWrapsCountsAcrossTheWrap() {
        long max = (1L << 32) - 1;
        assertThat(CounterRates.increase(max - 99, 50, 32)).isEqualTo(150);
        CounterRates r = new CounterRates(32);
        r.rate("sda/rb", 4_294_960_000L, 0);
        assertThat(r.rate("sda/rb", 2_704L, 1_000)).isEqualTo(10_000.0);
    }

    @Test
    void a64BitCounterPast2To63IsUnsignedAndWrapsAtTheTop() {
        long nearTop = -101L; // 2^64 - 101 as unsigned
        assertThat(CounterRates.increase(nearTop, -1L, 64)).isEqualTo(100);
        assertThat(CounterRates.increase(nearTop, 49, 64)).as("wrapped past 2^64").isEqualTo(150);
        assertThat(CounterRates.increase(Long.MAX_VALUE, Long.MIN_VALUE, 64)).as("2^63 - 1 to 2^63").isEqualTo(1);
    }

    @Test
    void aCounterThatFallsFarIsAResetAndCountsFromZero() {
        // An interface re-created, a machine rebooted: 5 GB before, 3,000 bytes now.
        assertThat(CounterRates.increase(5_000_000_000L, 3_000, 64)).isEqualTo(3_000);
        // 32-bit, but the fall is too large to be a wrap (it would mean 3 GiB in one interval).
        assertThat(CounterRates.increase(1_000_000_000L, 200, 32)).isEqualTo(200);
        // A 32-bit platform with a counter beyond 32 bits is not a wrap either.
        assertThat(CounterRates.increase(6_000_000_000L, 10, 32)).isEqualTo(10);
        CounterRates r = new CounterRates(64);
        r.rate("eth0/rx", 9_000_000, 0);
        assertThat(r.rate("eth0/rx", 2_000, 2_000)).isEqualTo(1_000.0);
        assertThat(r.rate("eth0/rx", 4_000, 4_000)).as("then rates as usual").isEqualTo(1_000.0);
    }

    @Test
    void aDeviceThatWentAwayStartsAgainWithoutARate() {
        CounterRates r = new CounterRates(64);
        r.beginRound();
        r.rate("usb0/rx", 100, 0);
        r.endRound();
        r.beginRound(); // usb0 not read this round: unplugged
        r.endRound();
        r.beginRound();
        assertThat(r.rate("usb0/rx", 50, 2_000)).as("plugged in again: a first reading").isNaN();
    }

    @Test
    void noTimeBetweenReadingsGivesNoRate() {
        CounterRates r = new CounterRates(64);
        r.rate("k", 1, 1_000);
        assertThat(r.rate("k", 5, 1_000)).isNaN();
    }

    @Test
    void onlyRealWidthsAreAccepted() {
        assertThatThrownBy(() -> new CounterRates(16)).hasMessageContaining("32 or 64");
    }
}
