package dev.drover.logs;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints every process's lines in the foreground as {@code name | line}, names aligned and, on a
 * terminal without NO_COLOR, coloured; Drover's own events are tagged {@code [drover]} and bold.
 */
public final class Console implements LogListener {
    private static final String[] COLOURS = {
        "\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[91m", "\033[96m", "\033[93m"
    };
    private static final byte[] RESET = "\033[0m".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BOLD = "\033[1m".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = " | ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DROVER_TAG = "[drover] ".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final boolean colour;
    /** Standard output is /dev/null: formatting every line for nobody would cost capture speed. */
    private final boolean discard;

    private final byte[] buffer = new byte[64 * 1024];
    private int buffered;
    private final Map<String, byte[]> prefixes = new HashMap<>();
    private int width;

    public Console(OutputStream out, boolean colour) {
        this(out, colour, false);
    }

    private Console(OutputStream out, boolean colour, boolean discard) {
        this.out = out;
        this.colour = colour;
        this.discard = discard;
    }

    /** Standard output, coloured when it is a terminal and NO_COLOR is not set. */
    public static Console stdout() {
        String device = device(1);
        boolean colour = isTerminalDevice(device) && System.getenv("NO_COLOR") == null;
        return new Console(new FileOutputStream(FileDescriptor.out), colour, device.equals("/dev/null"));
    }

    /**
     * What descriptor {@code fd} of this process names, from /proc ("/dev/pts/3", "pipe:[1234]",
     * "/dev/null"), or "" when it cannot be read. Read rather than asked of isatty(3): the JDK has
     * no isatty for one descriptor, and the short commands then link no system call at all.
     */
    public static String device(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd))
                    .toString();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    /** Whether a device path names a terminal: a pseudo-terminal, a virtual or serial one, the console. */
    public static boolean isTerminalDevice(String device) {
        return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty") || device.equals("/dev/console");
    }

    /** Names shorter than this are padded so the separators line up. */
    public synchronized void alignTo(Iterable<String> names) {
        for (String name : names) {
            width = Math.max(width, name.length());
        }
        prefixes.clear();
    }

    @Override
    public synchronized void line(
            String process, LogLine.Source source, long timeMillis, byte[] line, int offset, int length) {
        if (discard) {
            return;
        }
        byte[] prefix = prefixes.computeIfAbsent(process, this::prefix);
        boolean drover = source == LogLine.Source.DROVER;
        int needed = prefix.length + DROVER_TAG.length + length + BOLD.length + RESET.length + 1;
        if (buffered + needed > buffer.length) {
            flushBuffer();
        }
        if (needed > buffer.length) {
            write(prefix, 0, prefix.length);
            write(line, offset, length);
            write(new byte[] {'\n'}, 0, 1);
            return;
        }
        append(prefix, 0, prefix.length);
        if (drover) {
            if (colour) {
                append(BOLD, 0, BOLD.length);
            }
            append(DROVER_TAG, 0, DROVER_TAG.length);
        }
        append(line, offset, length);
        if (drover && colour) {
            append(RESET, 0, RESET.length);
        }
        buffer[buffered++] = '\n';
    }

    /** A line from Drover itself, not about one process. */
    public void drover(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        line("drover", LogLine.Source.DROVER, System.currentTimeMillis(), text, 0, text.length);
        flush();
    }

    @Override
    public synchronized void flush() {
        flushBuffer();
        try {
            out.flush();
        } catch (IOException e) {
            // stdout is gone (closed pipe): keep supervising regardless
        }
    }

    private byte[] prefix(String process) {
        StringBuilder sb = new StringBuilder();
        if (colour) {
            sb.append(COLOURS[Math.floorMod(process.replaceAll("\\.\\d+$", "").hashCode(), COLOURS.length)]);
        }
        sb.append(process);
        sb.append(" ".repeat(Math.max(0, width - process.length())));
        if (colour) {
            sb.append("\033[0m");
        }
        byte[] name = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[name.length + SEPARATOR.length];
        System.arraycopy(name, 0, prefix, 0, name.length);
        System.arraycopy(SEPARATOR, 0, prefix, name.length, SEPARATOR.length);
        return prefix;
    }

    private void append(byte[] bytes, int offset, int length) {
        System.arraycopy(bytes, offset, buffer, buffered, length);
        buffered += length;
    }

    private void flushBuffer() {
        if (buffered > 0) {
            write(buffer, 0, buffered);
            buffered = 0;
        }
    }

    private void write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            // stdout is gone: keep supervising regardless
        }
    }
}
