package io.sluice.codec.otlp;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.codec.Protobuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.sluice.codec.Protobuf.FIXED64;
import static io.sluice.codec.Protobuf.LEN;
import static io.sluice.codec.Protobuf.VARINT;
import static io.sluice.codec.Protobuf.tag;

/**
 * An attribute whose value is an array or a key-value list, written as JSON text for its tag
 * value ({@code ["a",1]}, {@code {"k":"v"}}), the way the OpenTelemetry collector's
 * {@code AsString} renders one. Rare, so it may allocate. Nesting past {@value #MAX_DEPTH} levels
 * is refused as malformed, as a generated parser's recursion limit would.
 */
final class AnyValueJson {
    private static final int MAX_DEPTH = 32;
    private static final int ITEM = tag(1, LEN);
    private static final int[] LIST = Protobuf.schema(ITEM);
    private static final int[] KV = Protobuf.schema(tag(1, LEN), tag(2, LEN));
    private static final int[] ANY = Protobuf.schema(tag(1, LEN), tag(2, VARINT), tag(3, VARINT), tag(4, FIXED64),
            tag(5, LEN), tag(6, LEN), tag(7, LEN));

    private AnyValueJson() {
    }

    /** An ArrayValue ({@code kvlist} false) or a KeyValueList at {@code buf[off, off+len)}. */
    static String render(byte[] buf, int off, int len, boolean kvlist) throws IOException {
        StringBuilder out = new StringBuilder();
        list(CodedInputStream.newInstance(buf, off, len), buf, off, kvlist, out, 0);
        return out.toString();
    }

    private static void list(CodedInputStream in, byte[] buf, int base, boolean kvlist, StringBuilder out, int depth)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new InvalidProtocolBufferException("attribute values nested deeper than " + MAX_DEPTH);
        }
        out.append(kvlist ? '{' : '[');
        boolean first = true;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag != ITEM) {
                Protobuf.skip(in, tag, LIST);
                continue;
            }
            out.append(first ? "" : ",");
            first = false;
            int limit = Protobuf.enter(in);
            if (kvlist) {
                keyValue(in, buf, base, out, depth);
            } else {
                any(in, buf, base, out, depth);
            }
            in.popLimit(limit);
        }
        out.append(kvlist ? '}' : ']');
    }

    private static void keyValue(CodedInputStream in, byte[] buf, int base, StringBuilder out, int depth)
            throws IOException {
        String key = "";
        StringBuilder value = new StringBuilder("null");
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == tag(1, LEN)) {
                key = string(in, buf, base);
            } else if (tag == tag(2, LEN)) {
                value.setLength(0);
                int limit = Protobuf.enter(in);
                any(in, buf, base, value, depth);
                in.popLimit(limit);
            } else {
                Protobuf.skip(in, tag, KV);
            }
        }
        quote(key, out);
        out.append(':').append(value);
    }

    /** An AnyValue (its fields up to the current limit) as a JSON value; empty is null. */
    private static void any(CodedInputStream in, byte[] buf, int base, StringBuilder out, int depth) throws IOException {
        int start = out.length();
        out.append("null");
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (!Protobuf.known(tag, ANY)) {
                Protobuf.skip(in, tag, ANY);
                continue;
            }
            out.setLength(start); // a oneof: the last one wins
            switch (tag >>> 3) {
                case 1 -> quote(string(in, buf, base), out);
                case 2 -> out.append(in.readBool());
                case 3 -> out.append(in.readInt64());
                case 4 -> {
                    double d = in.readDouble();
                    if (Double.isFinite(d)) {
                        out.append(d);
                    } else {
                        quote(Double.toString(d), out);
                    }
                }
                case 5, 6 -> {
                    int limit = Protobuf.enter(in);
                    list(in, buf, base, (tag >>> 3) == 6, out, depth + 1);
                    in.popLimit(limit);
                }
                case 7 -> {
                    long r = Protobuf.range(in, base);
                    int o = Protobuf.offset(r);
                    quote(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(buf, o, o + Protobuf.length(r))), out);
                }
                default -> throw new IllegalStateException("unreachable: " + tag);
            }
        }
    }

    private static String string(CodedInputStream in, byte[] buf, int base) throws IOException {
        long r = Protobuf.range(in, base);
        return new String(buf, Protobuf.offset(r), Protobuf.length(r), StandardCharsets.UTF_8);
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        out.append('"');
    }
}
