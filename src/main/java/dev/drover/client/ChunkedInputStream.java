package dev.drover.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** The body of a response sent with {@code Transfer-Encoding: chunked}, de-chunked. */
final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long chunkLeft;
    private boolean done;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (done || (chunkLeft == 0 && !nextChunk())) {
            return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, chunkLeft));
        if (n < 0) {
            throw new EOFException("connection closed inside a chunk");
        }
        chunkLeft -= n;
        if (chunkLeft == 0) {
            HttpReply.line(in); // the CR LF after the chunk's data
        }
        return n;
    }

    /** Reads the next chunk's size line; false at the last (empty) chunk, after its trailers. */
    private boolean nextChunk() throws IOException {
        String sizeLine = HttpReply.line(in);
        int extension = sizeLine.indexOf(';');
        String size = (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim();
        try {
            chunkLeft = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size: " + sizeLine);
        }
        if (chunkLeft < 0) {
            throw new IOException("bad chunk size: " + sizeLine);
        }
        if (chunkLeft == 0) {
            while (!HttpReply.line(in).isEmpty()) {
                // trailers: none expected, skipped
            }
            done = true;
            return false;
        }
        return true;
    }
}
