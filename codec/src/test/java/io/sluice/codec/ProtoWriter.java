package io.sluice.codec;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Writes a protobuf message field by field with protobuf-java's {@link CodedOutputStream}, for
 * tests that need wire bytes of a schema without generated classes.
 */
public final class ProtoWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    public static byte[] message(Consumer<ProtoWriter> fields) {
        ProtoWriter w = new ProtoWriter();
        fields.accept(w);
        return w.toByteArray();
    }

    public ProtoWriter string(int field, String value) {
        return io(() -> out.writeString(field, value));
    }

    public ProtoWriter bytes(int field, byte[] value) {
        return io(() -> out.writeByteArray(field, value));
    }

    public ProtoWriter message(int field, byte[] message) {
        return bytes(field, message);
    }

    public ProtoWriter message(int field, Consumer<ProtoWriter> fields) {
        return bytes(field, message(fields));
    }

    public ProtoWriter doubleField(int field, double value) {
        return io(() -> out.writeDouble(field, value));
    }

    public ProtoWriter int64(int field, long value) {
        return io(() -> out.writeInt64(field, value));
    }

    public ProtoWriter uint32(int field, int value) {
        return io(() -> out.writeUInt32(field, value));
    }

    public ProtoWriter sint32(int field, int value) {
        return io(() -> out.writeSInt32(field, value));
    }

    public ProtoWriter fixed64(int field, long value) {
        return io(() -> out.writeFixed64(field, value));
    }

    public ProtoWriter sfixed64(int field, long value) {
        return io(() -> out.writeSFixed64(field, value));
    }

    public ProtoWriter bool(int field, boolean value) {
        return io(() -> out.writeBool(field, value));
    }

    /** A packed repeated varint field. */
    public ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter inner = new ProtoWriter();
        for (long v : values) {
            inner.io(() -> inner.out.writeUInt64NoTag(v));
        }
        return bytes(field, inner.toByteArray());
    }

    /** A packed repeated fixed64 field. */
    public ProtoWriter packedFixed64(int field, long... values) {
        ProtoWriter inner = new ProtoWriter();
        for (long v : values) {
            inner.io(() -> inner.out.writeFixed64NoTag(v));
        }
        return bytes(field, inner.toByteArray());
    }

    /** A packed repeated double field. */
    public ProtoWriter packedDoubles(int field, double... values) {
        ProtoWriter inner = new ProtoWriter();
        for (double v : values) {
            inner.io(() -> inner.out.writeDoubleNoTag(v));
        }
        return bytes(field, inner.toByteArray());
    }

    /** Raw bytes as they are (for malformed input). */
    public ProtoWriter raw(byte... b) {
        return io(() -> out.writeRawBytes(b));
    }

    public byte[] toByteArray() {
        io(out::flush);
        return bytes.toByteArray();
    }

    private interface Io {
        void run() throws IOException;
    }

    private ProtoWriter io(Io step) {
        try {
            step.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
