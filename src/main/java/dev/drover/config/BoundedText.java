package dev.drover.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file that a config names, refusing one larger than a limit instead of reading it
 * all: {@code /dev/zero} or {@code /dev/urandom} named by mistake (or malice) would otherwise
 * fill the heap, where {@link Files#readString} keeps going until memory runs out.
 */
final class BoundedText {

    /** The config file itself. */
    static final int MAX_CONFIG_BYTES = 4 << 20;
    /** An {@code env_file}. */
    static final int MAX_ENV_FILE_BYTES = 1 << 20;

    private BoundedText() {}

    /** Thrown when the file holds more than the limit. */
    static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("larger than " + (limit >> 20) + " MiB");
        }
    }

    /**
     * The file as UTF-8 text.
     *
     * @throws TooLarge past {@code maxBytes}
     * @throws CharacterCodingException when it is not UTF-8
     * @throws java.nio.file.NoSuchFileException when it does not exist
     */
    static String read(Path file, int maxBytes) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(maxBytes + 1);
        }
        if (bytes.length > maxBytes) {
            throw new TooLarge(maxBytes);
        }
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
