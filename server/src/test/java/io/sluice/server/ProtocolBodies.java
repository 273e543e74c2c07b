package io.sluice.server;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Protocol bodies for server tests, written with protobuf-java. */
final class ProtocolBodies {
    private ProtocolBodies() {
    }

    /** A remote write 1.0 request (not compressed) of one series with one sample of value 1. */
    static byte[] remoteWrite(String metric, long ms, String... labels) throws IOException {
        ByteArrayOutputStream series = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(series);
        s.writeByteArray(1, label("__name__", metric));
        for (int i = 0; i < labels.length; i += 2) {
            s.writeByteArray(1, label(labels[i], labels[i + 1]));
        }
        ByteArrayOutputStream sample = new ByteArrayOutputStream();
        CodedOutputStream p = CodedOutputStream.newInstance(sample);
        p.writeDouble(1, 1);
        p.writeInt64(2, ms);
        p.flush();
        s.writeByteArray(2, sample.toByteArray());
        s.flush();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        CodedOutputStream r = CodedOutputStream.newInstance(req);
        r.writeByteArray(1, series.toByteArray());
        r.flush();
        return req.toByteArray();
    }

    private static byte[] label(String name, String value) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream l = CodedOutputStream.newInstance(b);
        l.writeString(1, name);
        l.writeString(2, value);
        l.flush();
        return b.toByteArray();
    }
}
