package io.sluice.server.protocol;

import io.sluice.server.config.Key;

import java.util.List;

/**
 * One ingest protocol's binding (README "How it works: adding a protocol"): a pure parser in
 * {@code codec/<protocol>} and this, in {@code server/<protocol>}, registered in
 * {@link Protocols#ALL}. It declares what it needs and the server provides it: listeners (UDP,
 * TCP, HTTP routes), an optional stage between its parsers and the ring, its response style
 * (HTTP protocols answer through {@link Binding#publisher()} or in their own words), its
 * configuration keys, and its counters, labelled with its {@link #name()}.
 */
public interface Protocol {
    /** Lower-case name: the {@code protocol} label of its counters, and the name in logs. */
    String name();

    /** Its configuration keys, ports first; the README's configuration table lists them. */
    List<Key> keys();

    /** Declares listeners, routes and stage; called once at start, with storage running. */
    void bind(Binding binding) throws Exception;
}
