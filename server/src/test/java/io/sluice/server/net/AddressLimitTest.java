package io.sluice.server.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class AddressLimitTest {
    @Test
    void capsPerAddressAndInTotal() throws Exception {
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        AddressLimit l = new AddressLimit(3, 2);
        assertThat(l.admit(a)).isNull();
        assertThat(l.admit(a)).isNull();
        assertThat(l.admit(a)).isEqualTo(AddressLimit.Refusal.PER_ADDRESS);
        assertThat(l.admit(b)).isNull();
        assertThat(l.admit(b)).isEqualTo(AddressLimit.Refusal.TOTAL);
        assertThat(l.total()).isEqualTo(3);
        l.release(a);
        assertThat(l.admit(b)).isNull();
        assertThat(l.of(a)).isEqualTo(1);
        assertThat(l.of(b)).isEqualTo(2);
        l.release(a);
        assertThat(l.of(a)).isZero();
    }

    @Test
    void concurrentAdmitsNeverPassTheCaps() throws Exception {
        AddressLimit l = new AddressLimit(0, 100);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (l.admit(a) == null) {
                        admitted.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(admitted.get()).isEqualTo(100);
        assertThat(l.of(a)).isEqualTo(100);
        assertThat(l.total()).isEqualTo(100);
    }
}
