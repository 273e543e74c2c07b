package io.sluice.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * CPU time of the processes a measurement involves, read from {@code /proc} (Linux): a process
 * found by the TCP port it listens on, with its descendants (PostgreSQL's backends are children
 * of the postmaster), and the machine as a whole. Where {@code /proc} cannot be read, processes
 * are simply not found and nothing is reported for them.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** The process listening on TCP {@code port} on this machine, if one is found. */
    static OptionalLong listening(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st ... inode (field 9); state 0A is LISTEN
                    if (f.length > 9 && "0A".equals(f[3]) && f[1].endsWith(":" + String.format("%04X", port))) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table here
            }
        }
        if (inodes.isEmpty()) {
            return OptionalLong.empty();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                                return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
                            }
                        } catch (IOException e) {
                            // the descriptor closed meanwhile
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // not ours to read, or gone
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * CPU time so far of a process and each of its live descendants, by pid (nanoseconds). The
     * root's entry includes what its children that ended used (a postmaster reaps its backends),
     * so {@link #used} over two readings counts a backend that ended in between too.
     */
    static Map<Long, Long> tree(long pid) {
        Map<Long, Long> m = new HashMap<>();
        ProcessHandle.of(pid).ifPresent(p -> {
            long[] t = stat(p.pid());
            if (t != null) {
                m.put(p.pid(), t[0] + t[1]);
            }
            p.descendants().forEach(d -> {
                long[] c = stat(d.pid());
                if (c != null) {
                    m.put(d.pid(), c[0]);
                }
            });
        });
        return m;
    }

    /**
     * A process's own CPU time and that of its reaped children in nanoseconds, from
     * {@code /proc/PID/stat} (utime + stime, cutime + cstime; clock ticks of 1/100 s, Linux's
     * USER_HZ), or null.
     */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count after it.
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return new long[] {own * 10_000_000L, children * 10_000_000L};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** CPU used between two {@link #tree} readings: a process not in a reading counts as zero there. */
    static long used(Map<Long, Long> before, Map<Long, Long> after) {
        long n = 0;
        for (long v : after.values()) {
            n += v;
        }
        for (long v : before.values()) {
            n -= v;
        }
        return Math.max(0, n);
    }

    /** This process's CPU time so far (nanoseconds). */
    static long self() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /**
     * Busy and total jiffies of the whole machine from {@code /proc/stat} ({@code cpu} line: idle
     * and iowait count as not busy), or zeros where it cannot be read.
     */
    static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** The 1-minute load average, or -1. */
    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
