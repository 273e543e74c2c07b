package io.sluice.server.ingest;

/** Why a line or sample was refused; each is a label of {@code sluice_samples_rejected_total}. */
public enum Reject {
    PARSE("parse"),
    NON_FINITE("non_finite"),
    OUT_OF_RANGE("out_of_range"),
    TOO_MANY_TAGS("too_many_tags"),
    TOO_OLD("too_old"),
    BEYOND_RETENTION("beyond_retention"),
    TOO_NEW("too_new"),
    KEY_TOO_LONG("key_too_long"),
    INVALID_NAME("invalid_name"),
    SERIES_LIMIT("series_limit");

    final String label;

    Reject(String label) {
        this.label = label;
    }
}
