package dev.drover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The manual page drover(1), rendered from the same text as {@code drover help}: the command list,
 * each command's usage, and the notes every command shares. The build writes it into the jar
 * ({@code /drover.1}); {@code drover install systemd} puts it where man looks.
 */
final class ManPage {
    /** Where the page is in the jar. */
    static final String RESOURCE = "/drover.1";

    private ManPage() {}

    /** Writes the page to OUTPUT-FILE, for VERSION (the build calls this). */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: ManPage OUTPUT-FILE [VERSION]");
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, render(Main.commands(), args.length > 1 ? args[1] : VersionCommand.version()));
    }

    static String render(Map<String, Command> commands, String version) {
        StringBuilder page = new StringBuilder();
        page.append(".TH DROVER 1 \"\" \"drover ").append(escape(version)).append("\" \"User Commands\"\n");
        page.append(".SH NAME\ndrover \\- a process supervisor: one YAML file, every service\n");
        page.append(".SH SYNOPSIS\n.B drover\n[\\fB\\-\\-file\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        page.append(".SH DESCRIPTION\n");
        page.append(paragraphs("""
                Drover starts the processes a YAML file describes in dependency order, gates each \
                on its health, restarts what fails with capped backoff, captures and rotates their \
                logs, serves a management API, health endpoints and Prometheus metrics, routes HTTP \
                to them, and stops every process it started."""));
        page.append(".SH COMMANDS\n");
        for (Command command : commands.values()) {
            page.append(".SS ").append(escape(command.name())).append('\n');
            page.append(escape(command.summary())).append('\n');
            page.append(".PP\n.nf\n");
            command.usage().lines().forEach(line -> page.append(escape(line)).append('\n'));
            page.append(".fi\n");
        }
        page.append(".SH OPTIONS\n");
        page.append(paragraphs(Main.SHARED_OPTIONS));
        page.append(".SH EXIT STATUS\n");
        page.append(paragraphs(Main.EXIT_STATUS));
        page.append(".SH ENVIRONMENT\n");
        page.append(".TP\n.B DROVER_CONFIG\nthe config file when no \\fB\\-\\-file\\fR is given\n");
        page.append(".TP\n.B DROVER_RUNTIME_DIR\nthe runtime directory (socket, PID file, state, logs)\n");
        page.append(".TP\n.B NO_COLOR\nwhen set, nothing is coloured on a terminal\n");
        page.append(".SH FILES\n");
        page.append(".TP\n.I drover.yaml\nthe configuration, in the current directory unless told otherwise\n");
        page.append(".TP\n.I .drover/\nbeside it: the daemon's socket, PID file, state, log and the processes' logs\n");
        page.append(".SH SEE ALSO\n.BR systemctl (1),\n.BR journalctl (1)\n");
        return page.toString();
    }

    /** Prose: blank lines separate paragraphs; lines within one are joined. */
    private static String paragraphs(String text) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : text.strip().split("\n\\s*\n")) {
            out.append(".PP\n")
                    .append(escape(paragraph.strip().replace('\n', ' ')))
                    .append('\n');
        }
        return out.toString();
    }

    /**
     * Backslashes, hyphens and what is not ASCII (as {@code \[u2026]}) as roff wants them, and a
     * leading dot or quote guarded, which roff would read as a request (also inside .nf).
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\e");
                case '-' -> out.append("\\-");
                default -> {
                    if (c < 128) {
                        out.appendCodePoint(c);
                    } else {
                        out.append(String.format("\\[u%04X]", c));
                    }
                }
            }
        });
        String escaped = out.toString();
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }
}
