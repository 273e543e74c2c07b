package io.sluice.agent;

import io.sluice.agent.collect.Collector;
import io.sluice.agent.collect.CollectorSet;
import io.sluice.agent.collect.CpuCollector;
import io.sluice.agent.collect.DiskIoCollector;
import io.sluice.agent.collect.FileSystemCollector;
import io.sluice.agent.collect.GpuCollector;
import io.sluice.agent.collect.MemoryCollector;
import io.sluice.agent.collect.NetworkCollector;
import io.sluice.agent.collect.Sample;
import io.sluice.agent.collect.SystemCollector;
import io.sluice.agent.send.FleetFormat;
import io.sluice.agent.send.Format;
import io.sluice.agent.send.HostInfo;
import io.sluice.agent.send.Http;
import io.sluice.agent.send.LineFormat;
import io.sluice.agent.send.SampleBuffer;
import io.sluice.agent.send.SendStats;
import io.sluice.agent.send.Sender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The host agent: collectors read the machine every interval into a bounded buffer, a sender
 * ships the buffer to a Sluice. Logs what it sends where once, then a line of counts a minute.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** Samples per request: a few intervals of a large machine, far under Sluice's body limit. */
    static final int BATCH = 1000;
    private static final long FLUSH_ON_STOP_MS = 5000;

    private final CollectorSet collectors;
    private final Format format;
    private final SampleBuffer buffer;
    private final SendStats stats = new SendStats();
    private final ScheduledExecutorService clock;
    private final Thread sendThread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Counts last = new Counts(0, 0, 0, 0, 0, 0, 0);
    private long collected;

    private Agent(CollectorSet collectors, Format format, AgentOptions o) {
        this.collectors = collectors;
        this.format = format;
        this.buffer = new SampleBuffer(o.buffer());
        Sender sender = new Sender(buffer, format, stats, Math.min(BATCH, o.buffer()), o.maxBackoff());
        this.sendThread = new Thread(sender::run, "sluice-agent-send");
        this.clock = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sluice-agent-collect"));
    }

    /** Starts collecting and sending. */
    public static Agent start(AgentOptions o) {
        SystemInfo si = new SystemInfo();
        HardwareAbstractionLayer hw = si.getHardware();
        OperatingSystem os = si.getOperatingSystem();
        HostInfo host = HostFacts.of(o, os);
        Http http = new Http(o.to(), o.token(), o.timeout(), host.agentVersion());
        Format format = o.format() == AgentOptions.Format.line
                ? new LineFormat(http, host.hostname(), o.tags())
                : new FleetFormat(http, host, o.tags());
        Agent a = new Agent(new CollectorSet(collectors(hw, os)), format, o);
        LOG.info("agent started [sending={}, every={}s, collectors={}, tags={}, buffer={} samples, token={}]",
                format.describe(), o.interval().toMillis() / 1000.0, a.collectors.names(), o.tags(), o.buffer(),
                o.token() == null || o.token().isEmpty() ? "none" : "set");
        a.sendThread.start();
        a.clock.scheduleAtFixedRate(a::collect, 0, o.interval().toMillis(), TimeUnit.MILLISECONDS);
        a.clock.scheduleAtFixedRate(a::logCounts, 60, 60, TimeUnit.SECONDS);
        return a;
    }

    static List<Collector> collectors(HardwareAbstractionLayer hw, OperatingSystem os) {
        int bits = os.getBitness() == 32 ? 32 : 64;
        List<Collector> c = new ArrayList<>(List.of(
                new CpuCollector(hw.getProcessor()),
                new SystemCollector(hw.getProcessor(), os),
                new MemoryCollector(hw.getMemory()),
                new FileSystemCollector(os.getFileSystem()),
                new DiskIoCollector(hw, bits),
                new NetworkCollector(hw, bits)));
        GpuCollector.find(System.getenv("PATH")).ifPresent(c::add);
        return c;
    }

    /** The format's state (the fleet server id), for tests and the command. */
    public Format format() {
        return format;
    }

    public SendStats stats() {
        return stats;
    }

    /** Samples collected since start (those the format carries). */
    public synchronized long collected() {
        return collected;
    }

    /** Samples dropped since start because the buffer was full. */
    public long dropped() {
        return buffer.dropped();
    }

    /** Samples waiting or in flight. */
    public int buffered() {
        return buffer.size();
    }

    private void collect() {
        try {
            List<Sample> all = collectors.collect(System.currentTimeMillis());
            all.removeIf(s -> !format.carries(s));
            synchronized (this) {
                collected += all.size();
            }
            buffer.add(all);
        } catch (RuntimeException | LinkageError e) {
            LOG.error("collecting failed [error={}]", e.toString(), e);
        }
    }

    private void logCounts() {
        Counts now = counts();
        LOG.info("agent [collected={}, sent={}, buffered={}, dropped={}, rejected={}, already_stored={}, "
                        + "failed_requests={}, collector_failures={}{}]",
                now.collected - last.collected, now.sent - last.sent, buffer.size(), now.dropped - last.dropped,
                now.rejected - last.rejected, now.alreadyStored - last.alreadyStored,
                now.failedRequests - last.failedRequests, now.collectorFailures - last.collectorFailures,
                now.failedRequests > last.failedRequests ? ", last_error=" + stats.lastError : "");
        last = now;
    }

    private synchronized Counts counts() {
        return new Counts(collected, stats.sent.get(), buffer.dropped(), stats.rejected.get(),
                stats.alreadyStored.get(), stats.failedRequests.get(), collectors.failures());
    }

    /** Blocks until {@link #close()}. */
    public void await() throws InterruptedException {
        stopped.await();
    }

    /** Stops collecting, gives the sender a few seconds to empty the buffer, then stops it. */
    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        clock.shutdownNow();
        long deadline = System.currentTimeMillis() + FLUSH_ON_STOP_MS;
        while (buffer.size() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sendThread.interrupt();
        try {
            sendThread.join(FLUSH_ON_STOP_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Counts c = counts();
        LOG.info("agent stopped [collected={}, sent={}, unsent={}, dropped={}, rejected={}]",
                c.collected, c.sent, buffer.size(), c.dropped, c.rejected);
        stopped.countDown();
    }

    /** Totals since start; the minute's line shows their growth. */
    private record Counts(long collected, long sent, long dropped, long rejected, long alreadyStored,
                          long failedRequests, long collectorFailures) {
    }
}
