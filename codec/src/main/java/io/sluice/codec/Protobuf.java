package io.sluice.codec;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

import java.io.IOException;

/**
 * What the protobuf protocols (remote write, OTLP) share when reading a message field by field
 * with {@link CodedInputStream} over the request's bytes: strings and bytes as ranges of the
 * buffer (no {@code String}, no copy), and the wire-type checks a generated parser would make.
 */
public final class Protobuf {
    public static final int VARINT = WireFormat.WIRETYPE_VARINT;
    public static final int FIXED64 = WireFormat.WIRETYPE_FIXED64;
    public static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    public static final int FIXED32 = WireFormat.WIRETYPE_FIXED32;

    private Protobuf() {
    }

    /** The tag of field {@code number} with {@code wireType}, as {@link CodedInputStream#readTag()} returns it. */
    public static int tag(int number, int wireType) {
        return (number << 3) | wireType;
    }

    /**
     * Reads a length-delimited field's length and skips its bytes.
     *
     * @param base the offset in the array at which the stream started
     * @return its range in the array, packed: {@link #offset(long)} and {@link #length(long)}
     */
    public static long range(CodedInputStream in, int base) throws IOException {
        int len = in.readRawVarint32();
        int off = base + in.getTotalBytesRead();
        in.skipRawBytes(len);
        return ((long) off << 32) | (len & 0xFFFF_FFFFL);
    }

    public static int offset(long range) {
        return (int) (range >>> 32);
    }

    public static int length(long range) {
        return (int) range;
    }

    /**
     * Enters a length-delimited message: reads its length and limits the stream to it.
     *
     * @return the limit to give back to {@link CodedInputStream#popLimit(int)}
     */
    public static int enter(CodedInputStream in) throws IOException {
        return in.pushLimit(in.readRawVarint32());
    }

    /**
     * A message's known fields for {@link #skip}, from their tags ({@link #tag}): what each field
     * number's wire type must be. A repeated scalar field that may come packed or not is checked by
     * the reader itself before it gets here.
     */
    public static int[] schema(int... tags) {
        int max = 0;
        for (int t : tags) {
            max = Math.max(max, WireFormat.getTagFieldNumber(t));
        }
        int[] types = new int[max + 1];
        for (int t : tags) {
            types[WireFormat.getTagFieldNumber(t)] = WireFormat.getTagWireType(t) + 1;
        }
        return types;
    }

    /** Whether {@code tag} is a field of {@code schema} with the wire type it must have. */
    public static boolean known(int tag, int[] schema) {
        int number = WireFormat.getTagFieldNumber(tag);
        return number < schema.length && schema[number] == WireFormat.getTagWireType(tag) + 1;
    }

    /**
     * Skips a field this reader does not use. A known field (in {@code schema}) with another wire
     * type is malformed input, as a generated parser would find it; an unknown field is skipped
     * whatever it holds (proto3: "unknown fields are ignored").
     */
    public static void skip(CodedInputStream in, int tag, int[] schema) throws IOException {
        int number = WireFormat.getTagFieldNumber(tag);
        int type = WireFormat.getTagWireType(tag);
        if (number < schema.length && schema[number] != 0 && schema[number] != type + 1) {
            throw new InvalidProtocolBufferException("field " + number + " has the wrong wire type " + type);
        }
        in.skipField(tag);
    }
}
