package io.sluice.server.live;

/**
 * How a group's samples are written: Sluice's own batches, or the message shapes of the existing
 * services' WebSocket endpoints (README, "Drop-in APIs").
 */
public enum Style {
    /** {@code {"type":"samples","subscription":id,"samples":[{metric,tags,time,value,step}]}} per flush. */
    NATIVE(true),
    /** API performance monitor {@code /ws}: one {@code {route,method,time,status,timestamp}} object per call. */
    API_PERF(false),
    /** Training runs {@code /ws/metrics/{run_id}}: {@code {"type":"metric","payload":{"metrics":[...]}}} per flush. */
    TRAINING(true),
    /** Fleet monitor {@code /api/v1/stream}: one metric object per message. */
    FLEET(false),
    /** Dashboard {@code /ws/metrics/{name}}: one {@code {metric_name,host,value,time}} object per message. */
    DASHBOARD(false);

    /** Whether a flush is one frame holding all samples, or one frame per sample. */
    final boolean batched;

    Style(boolean batched) {
        this.batched = batched;
    }
}
