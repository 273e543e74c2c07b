package io.sluice.bench;

import picocli.CommandLine.Option;

/** Options every scenario shares. */
public final class Options {
    @Option(names = "--db", description = "JDBC URL of Sluice's database, for the ceiling and read-back"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres")
    String db;

    @Option(names = "--sluice", description = "Sluice's HTTP base URL (default: ${DEFAULT-VALUE})",
            defaultValue = "http://127.0.0.1:8080")
    String sluice;

    @Option(names = "--udp-port", description = "Sluice's UDP line protocol port (default: ${DEFAULT-VALUE})",
            defaultValue = "8089")
    int udpPort;

    @Option(names = "--rows", description = "rows to send (default: ${DEFAULT-VALUE})", defaultValue = "2000000")
    long rows;

    @Option(names = "--series", description = "distinct series (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    int series;

    @Option(names = "--batch", description = "rows per request or COPY (default: ${DEFAULT-VALUE})", defaultValue = "5000")
    int batch;

    @Option(names = "--connections", description = "concurrent connections or sessions (default: ${DEFAULT-VALUE})",
            defaultValue = "2")
    int connections;

    @Option(names = "--json", description = "also write the report as JSON to this file")
    String json;

    /** The same options for a scenario that wants another number of series. */
    Options withSeries(int n) {
        Options c = new Options();
        c.db = db;
        c.sluice = sluice;
        c.udpPort = udpPort;
        c.rows = rows;
        c.series = n;
        c.batch = batch;
        c.connections = connections;
        c.json = json;
        return c;
    }
}
