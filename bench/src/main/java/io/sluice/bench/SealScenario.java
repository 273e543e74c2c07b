package io.sluice.bench;

import io.sluice.storage.db.Pieces;
import io.sluice.storage.db.Sealer;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.writer.CopyEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The seal alone (README, "Hot tier and head"): the harness COPYs {@code --rows} samples as hot
 * blocks into one past one-minute piece, the way the writers do ({@code --batch} lines a request,
 * {@code --series} series: a block per series per request), then seals that piece, and reports
 * the CPU it took: Sluice's part (the sealing thread, here in the harness) and PostgreSQL's (the
 * sealer's backends, and every PostgreSQL process together, parallel workers included). Two ways,
 * alternated round by round on fresh pieces: {@code copy}, the {@link Sealer} (blocks out by
 * binary COPY, merged, rows in by binary COPY), and {@code sql}, the seal of round 4
 * (docs/BENCHMARKS.md) in one statement, kept here only to compare.
 *
 * <p>Run it against a Sluice that does not seal these pieces itself: started with
 * {@code SLUICE_HOT_PIECE=1m SLUICE_SEAL_DELAY=24h}.
 */
@Command(name = "seal", description = "Seal hot blocks of one piece: Sluice's COPY round trip against round 4's SQL.")
final class SealScenario implements Callable<Integer> {
    private static final long MINUTE = 60_000_000L;
    /** Round 4's seal, in SQL (docs/BENCHMARKS.md), for comparison only. */
    private static final String SQL_MOVE = "WITH moved AS (DELETE FROM samples_blocks WHERE time_min >= ? AND time_min < ?"
            + " RETURNING series_id, times, vals, steps) INSERT INTO samples_rows (time, series_id, value, step)"
            + " SELECT unix_micros_to_time(u.t), m.series_id, u.value, u.step FROM moved m"
            + " CROSS JOIN LATERAL unnest(m.times, m.vals, m.steps) AS u(t, value, step) ORDER BY 2, 1";

    @Mixin
    Options o;

    @Option(names = "--rounds", description = "rounds, each sealing one piece both ways (default: ${DEFAULT-VALUE})",
            defaultValue = "3")
    int rounds;

    @Option(names = "--ways", description = "which seals, in turn (default: ${DEFAULT-VALUE})", split = ",",
            defaultValue = "sql,copy")
    List<String> ways;

    @Override
    public Integer call() throws Exception {
        if (o.rows > 50_000_000L) {
            throw new IllegalArgumentException("--rows at most 50,000,000: a piece is a minute, its samples a microsecond apart");
        }
        int[] ids = CeilingScenario.series(o.db, "bench_seal", o.series);
        Pieces pieces = new Pieces(MINUTE, new Metrics());
        Sealer sealer = new Sealer(pieces, 0, null, new Metrics());
        long pgPid = ProcessCpu.listening(URI.create(o.db.substring("jdbc:".length())).getPort()).orElse(-1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Result> results = new ArrayList<>();
        long now = System.currentTimeMillis() * 1000;
        // Pieces of the last hour, each a minute, oldest first: one fresh piece a seal.
        long piece = Math.floorDiv(now, MINUTE) * MINUTE - 50 * MINUTE;
        try (Connection c = DriverManager.getConnection(o.db); Connection reader = DriverManager.getConnection(o.db)) {
            c.setAutoCommit(true);
            reader.setAutoCommit(true);
            pieces.load(c);
            sealer.sealDue(c, reader, piece); // whatever was due before: not measured
            for (int r = 0; r < rounds; r++) {
                for (int w = 0; w < ways.size(); w++) {
                    String way = ways.get((r + w) % ways.size()); // alternate which goes first
                    piece = unused(c, pieces, piece);
                    pieces.ensure(c, List.of(pieces.pieceOf(piece)));
                    writeBlocks(c, ids, piece);
                    CeilingScenario.checkpoint(o.db);
                    Map<Long, Long> before = pgPid > 0 ? ProcessCpu.tree(pgPid) : Map.of();
                    long[] backends = {backend(c), backend(reader)};
                    long backendsBefore = cpu(backends[0]) + cpu(backends[1]);
                    long self = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    if (way.equals("copy")) {
                        sealer.sealDue(c, reader, piece + 2 * MINUTE);
                    } else {
                        sqlSeal(c, piece);
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long java = threads.getCurrentThreadCpuTime() - self;
                    long backendsUsed = (cpu(backends[0]) + cpu(backends[1]) - backendsBefore) * 10_000_000L;
                    long pgAll = pgPid > 0 ? ProcessCpu.used(before, ProcessCpu.tree(pgPid)) : -1;
                    long rows = count(c, "SELECT count(*) FROM " + Pieces.name(piece));
                    long left = count(c, "SELECT count(*) FROM samples_blocks");
                    if (rows != o.rows || left != 0) {
                        throw new IllegalStateException(way + " seal left " + rows + " rows and " + left + " blocks");
                    }
                    results.add(new Result("seal " + way, rows, seconds, Map.of(
                            "round", r + 1,
                            "java_us_per_sample", round(java / 1e3 / rows),
                            "backends_us_per_sample", round(backendsUsed / 1e3 / rows),
                            "postgres_us_per_sample", pgAll < 0 ? "-" : round(pgAll / 1e3 / rows),
                            "load", ProcessCpu.load())));
                    piece += MINUTE;
                }
            }
        }
        Report.print(results, null, o.json);
        return 0;
    }

    /** The first piece from {@code from} on that no earlier run sealed or wrote. */
    private static long unused(Connection c, Pieces pieces, long from) throws SQLException {
        java.util.Set<Long> taken = new java.util.HashSet<>();
        for (Pieces.Piece p : pieces.list(c)) {
            if (p.sealed() || count(c, "SELECT count(*) FROM (SELECT 1 FROM " + p.name() + " LIMIT 1) x") > 0) {
                taken.add(p.startMicros());
            }
        }
        long piece = from;
        while (taken.contains(piece)) {
            piece += MINUTE;
        }
        if (piece > System.currentTimeMillis() * 1000 - 5 * MINUTE) {
            throw new IllegalStateException("no unused piece left in the last hour: start Sluice on a fresh data dir");
        }
        return piece;
    }

    /** The harness's blocks, as {@code ceiling-blocks} writes them: a microsecond apart from the piece's start. */
    private void writeBlocks(Connection c, int[] ids, long piece) throws SQLException {
        CopyEncoder enc = new CopyEncoder(CopyEncoder.BUFFER_BYTES, true);
        CeilingScenario.BatchColumns cols = new CeilingScenario.BatchColumns(o.batch);
        c.setAutoCommit(false);
        try {
            for (long from = 0; from < o.rows; from += o.batch) {
                enc.begin(c);
                cols.encode(enc, ids, piece, from, Math.min(o.rows, from + o.batch));
                enc.end();
                c.commit();
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Round 4's seal: one transaction moving the blocks and building the index, its VACUUMs, the blocks' BRIN afresh. */
    private static void sqlSeal(Connection c, long piece) throws SQLException {
        String name = Pieces.name(piece);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement(); var move = c.prepareStatement(SQL_MOVE)) {
            move.setLong(1, piece); // the blocks' times are microseconds since the Unix epoch (schema step 014)
            move.setLong(2, piece + MINUTE);
            move.executeUpdate();
            st.execute("CREATE INDEX " + name + Pieces.INDEX_SUFFIX + " ON " + name + " (series_id, time DESC) INCLUDE (value)");
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        try (Statement st = c.createStatement()) {
            st.execute("VACUUM (ANALYZE) " + name);
        }
        Sealer.tidyBlocks(c);
    }

    private static long backend(Connection c) throws SQLException {
        return count(c, "SELECT pg_backend_pid()");
    }

    /** A process's user and system CPU, in clock ticks (1/100 s on Linux). */
    private static long cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
