package io.sluice.storage.writer;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Blocks go as COPY statements of at most {@link CopyEncoder#BLOCKS_PER_STATEMENT} rows in the
 * batch's one transaction (CopyEncoder's class comment: PostgreSQL's cost of a statement grows
 * with the square of its rows), and a row PostgreSQL refuses in a later statement is still named
 * by its place in the whole batch, so the refusal falls on its own request.
 */
class CopyStatementsIT {
    private static final String SQL = "COPY samples_blocks (series_id, time_min, time_max, times, vals, steps)"
            + " FROM STDIN (FORMAT binary)";

    @Test
    void aRefusedRowOfALaterStatementIsNamedByItsPlaceInTheWholeCopy() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("copy_statements_row");
        try (Storage ignored = Storage.open(TestDatabase.storageConfig(url, 1, 1000), new Metrics())) {
            TestDatabase.refuseNegativeValues(url);
        }
        countStatements(url);
        long[] times = new long[10];
        double[] values = new double[10];
        long[] steps = new long[10];
        int[] order = new int[10];
        long now = Instant.now().toEpochMilli() * 1000;
        for (int i = 0; i < 10; i++) {
            times[i] = now + i;
            values[i] = i == 7 ? -1 : i;
            steps[i] = CopyEncoder.NO_STEP;
            order[i] = i;
        }
        CopyEncoder enc = new CopyEncoder(CopyEncoder.BUFFER_BYTES, true, SQL, 3);
        try (Connection c = TestDatabase.connect(url)) {
            c.setAutoCommit(false);
            enc.begin(c);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 10; i++) {
                    enc.block(1, order, i, i + 1, times, values, steps);
                }
                enc.end();
            }).isInstanceOf(SQLException.class).satisfies(e -> {
                // Row 8 of the COPY: line 2 of its third statement.
                assertThat(enc.failedRow((SQLException) e)).isEqualTo(8);
                assertThat(CopyEncoder.failedLine((SQLException) e)).isEqualTo(2);
            });
            enc.abort();
            c.rollback();

            values[7] = 7;
            enc.begin(c);
            for (int i = 0; i < 10; i++) {
                enc.block(1, order, i, i + 1, times, values, steps);
            }
            enc.end();
            c.commit();
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM copy_statements")).isEqualTo(4);
        assertThat(TestDatabase.count(url, "SELECT max(rows) FROM copy_statements")).isEqualTo(3);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(10);
    }

    @Test
    void aBatchOfManyBlocksIsSeveralStatementsAndARefusalInALaterOneFallsOnItsOwnRequest() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("copy_statements_batch");
        Metrics metrics = new Metrics();
        int series = 2 * CopyEncoder.BLOCKS_PER_STATEMENT + 100;
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 1, 100_000), metrics)) {
            TestDatabase.refuseNegativeValues(url);
            countStatements(url);
            RefusedValueIT.slowFirstCopy(url);
            storage.start();
            long now = Instant.now().toEpochMilli() * 1000;
            CompletableFuture<String> first = Writes.one(storage, SeriesKey.of("many", Map.of("s", "first")), now, 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> TestDatabase.count(url,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY samples%' AND state = 'active'") > 0);
            // One batch behind the first: a block per series, then the refused request's block after them all.
            SampleBatch wide = new SampleBatch(series);
            for (int s = 0; s < series; s++) {
                Writes.add(storage, wide, SeriesKey.of("many", Map.of("s", Integer.toString(s))), now, 10);
            }
            CompletableFuture<String> good = Writes.request(storage, wide);
            SampleBatch refused = new SampleBatch(1);
            refused.add(SampleEvent.UNRESOLVED, storage.registry().pending(SeriesKey.of("many", Map.of("s", "bad"))),
                    now, -1, SampleSink.NO_STEP);
            CompletableFuture<String> bad = Writes.request(storage, refused);
            CompletableFuture<String> after = Writes.one(storage, SeriesKey.of("many", Map.of("s", "after")), now, 3);

            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(bad.get(30, TimeUnit.SECONDS)).startsWith("REFUSED: the database refused a value of this request");
            assertThat(good.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value = 10")).isEqualTo(series);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value < 0")).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(series + 2);
            assertThat(metrics.total("sluice_samples_dropped_total")).isEqualTo(1);
            // The batch written again without the refused request: its blocks in three statements.
            assertThat(TestDatabase.count(url, "SELECT max(rows) FROM copy_statements"))
                    .isEqualTo(CopyEncoder.BLOCKS_PER_STATEMENT);
            assertThat(TestDatabase.count(url, "SELECT sum(rows) FROM copy_statements")).isEqualTo(series + 2);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM copy_statements")).isEqualTo(4);
        }
    }

    /** Each committed COPY statement into the blocks leaves a row with its row count. */
    private static void countStatements(DatabaseUrl url) throws SQLException {
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE copy_statements (rows bigint NOT NULL)");
            st.execute("CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " INSERT INTO copy_statements SELECT count(*) FROM new_blocks; RETURN NULL; END $$");
            st.execute("CREATE TRIGGER count_statement AFTER INSERT ON " + TestDatabase.BLOCKS
                    + " REFERENCING NEW TABLE AS new_blocks FOR EACH STATEMENT EXECUTE FUNCTION count_statement()");
        }
    }
}
