package io.sluice.storage.writer;

import io.sluice.storage.db.DatabaseHealth;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Histogram;
import io.sluice.storage.metrics.Metrics;

/**
 * The writers' counters, registered once and shared by every writer thread, and where they report
 * whether the database answered (readiness follows it).
 */
public final class WriterMetrics {
    final Counter written;
    final Counter batches;
    final Counter retries;
    final Counter failedBatches;
    final Counter droppedWriteFailed;
    final Counter droppedRefused;
    final Counter droppedUnresolved;
    final Counter droppedShutdown;
    final Counter droppedWithdrawn;
    final Counter unknownCommitted;
    final Counter unknownRolledBack;
    final Counter seriesCreated;
    final Counter journalFlushed;
    final Counter journalFlushes;
    final Counter journalRefused;
    final Counter journalTaken;
    final Counter journalRecovered;
    final Counter journalRetries;
    final Counter localRecords;
    final Counter localBytes;
    final Counter localRecoveredRecords;
    final Counter localIoErrors;
    final Counter localTornRecords;
    final Histogram batchRows;
    final Histogram writeSeconds;
    final Histogram localSyncSeconds;
    final DatabaseHealth health;

    public WriterMetrics(Metrics m, DatabaseHealth health) {
        this.health = health;
        written = m.counter("sluice_samples_written_total", "Samples committed to the database.");
        batches = m.counter("sluice_write_batches_total", "COPY batches committed.");
        retries = m.counter("sluice_write_retries_total", "Failed batch attempts that were retried.");
        failedBatches = m.counter("sluice_write_batch_failures_total", "Batch attempts that failed (each retry counts).");
        String dropped = "sluice_samples_dropped_total";
        String help = "Samples accepted but not stored, by reason.";
        droppedWriteFailed = m.counter(dropped, help, "reason", "write_failed");
        droppedRefused = m.counter(dropped, help, "reason", "database_refused");
        droppedUnresolved = m.counter(dropped, help, "reason", "series_unresolved");
        droppedShutdown = m.counter(dropped, help, "reason", "shutdown");
        droppedWithdrawn = m.counter(dropped, help, "reason", "withdrawn");
        m.counter(dropped, help, "reason", "ring_full");
        String unknown = "sluice_write_commit_unknown_total";
        String unknownHelp = "Batch COMMITs that went unanswered (connection lost), by what the next attempt found.";
        unknownCommitted = m.counter(unknown, unknownHelp, "outcome", "committed");
        unknownRolledBack = m.counter(unknown, unknownHelp, "outcome", "rolled_back");
        seriesCreated = m.counter("sluice_series_resolved_total", "Series ids resolved by writers (new or from other nodes).");
        journalFlushed = m.counter("sluice_journal_flushed_samples_total",
                "Journaled samples the flusher wrote into the samples' tables (write_ack = journal).");
        journalFlushes = m.counter("sluice_journal_flushes_total", "Flusher transactions committed (write_ack = journal).");
        journalRefused = m.counter("sluice_journal_refused_samples_total", "Journaled samples, already acknowledged,"
                + " that the database refused when the flusher wrote them: left out, logged with an error id.");
        journalTaken = m.counter("sluice_journal_rows_taken_total", "Journal rows found already written when the flusher"
                + " claimed them (another process recovered them, or an earlier COMMIT went unanswered): left out.");
        journalRecovered = m.counter("sluice_journal_recovered_samples_total",
                "Samples of other process starts' journal rows this node wrote (recovery).");
        journalRetries = m.counter("sluice_journal_flush_retries_total", "Failed flusher transactions that were retried.");
        localRecords = m.counter("sluice_journal_local_records_total",
                "Records appended and synced to the writers' journal files (write_ack = local); one fdatasync each.");
        localBytes = m.counter("sluice_journal_local_bytes_total", "Bytes appended to the writers' journal files (write_ack = local).");
        localRecoveredRecords = m.counter("sluice_journal_local_recovered_records_total",
                "Journal file records written into the tables at start (write_ack = local).");
        localIoErrors = m.counter("sluice_journal_local_io_errors_total", "Appends or syncs of a journal file that failed"
                + " (write_ack = local): their requests were answered 503, nothing of them stored.");
        localTornRecords = m.counter("sluice_journal_local_torn_records_total", "Journal file records found cut short"
                + " or failing their CRC at start (write_ack = local): never acknowledged, cut away.");
        batchRows = m.histogram("sluice_write_batch_rows", "Rows per committed COPY batch.",
                new double[] {1, 10, 100, 1_000, 5_000, 10_000, 50_000, 100_000});
        writeSeconds = m.histogram("sluice_write_latency_seconds", "Time to resolve, COPY and commit one batch.",
                new double[] {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
        localSyncSeconds = m.histogram("sluice_journal_local_sync_seconds", "Time to append one record to a writer's"
                + " journal file and sync it (write_ack = local), a segment's rotation included: the disk's part of a"
                + " request's answer.", new double[] {0.00005, 0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075,
                        0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1, 1});
    }

    /** Samples dropped because the ring was full; producers count here. */
    public static Counter ringFull(Metrics m) {
        return m.counter("sluice_samples_dropped_total", "Samples accepted but not stored, by reason.",
                "reason", "ring_full");
    }
}
