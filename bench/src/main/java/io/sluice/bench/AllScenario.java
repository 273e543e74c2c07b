package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Everything once, sized to finish in a few minutes on a laptop: the COPY ceiling, HTTP and UDP
 * ingest as ratios of it, live delivery to WebSocket viewers, and query latencies over a small
 * loaded data set; one table, one JSON file. The scenarios on their own take larger sizes.
 */
@Command(name = "all", description = "ceiling, http, udp, ws and query in one run, one report (a few minutes).")
final class AllScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @Option(names = "--viewers", description = "WebSocket viewers (default: ${DEFAULT-VALUE})", defaultValue = "200")
    int viewers;

    @Option(names = "--ws-rate", description = "samples per second sent while viewers watch (default: ${DEFAULT-VALUE})",
            defaultValue = "20000")
    long wsRate;

    @Option(names = "--days", description = "days of data loaded for the query scenario (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    int days;

    @Option(names = "--query-series", description = "series loaded for the query scenario (default: ${DEFAULT-VALUE})",
            defaultValue = "10")
    int querySeries;

    @Override
    public Integer call() throws Exception {
        List<Result> all = new ArrayList<>(IngestScenario.round(o, 0));

        WsScenario ws = new WsScenario();
        ws.o = o;
        ws.viewers = viewers;
        ws.rate = wsRate;
        ws.seconds = 10;
        ws.warmup = 3;
        all.add(ws.run());

        QueryScenario q = new QueryScenario();
        q.o = o.withSeries(querySeries);
        q.days = days;
        q.every = 1.2;
        q.requests = 100;
        q.warmup = 50;
        q.warmupSeconds = 2;
        all.addAll(q.run());

        Report.print(all, "ceiling", o.json);
        return 0;
    }
}
