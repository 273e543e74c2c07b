package io.sluice.storage.db;

import java.util.Map;

/** Writes a tag map as a JSON object for the {@code series.tags} jsonb column. */
final class TagsJson {
    private TagsJson() {
    }

    static String encode(Map<String, String> tags) {
        StringBuilder sb = new StringBuilder(16 + tags.size() * 24).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            string(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
