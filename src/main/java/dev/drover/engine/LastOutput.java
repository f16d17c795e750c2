package dev.drover.engine;

import dev.drover.logs.LogLine;
import dev.drover.logs.ProcessLog;
import java.util.ArrayList;
import java.util.List;

/** The last lines a process wrote, for saying why it is not ready: its stderr when it wrote any lately, else its stdout. */
final class LastOutput {
    static final int LINES = 3;
    /** How far back in the log to look for stderr. */
    private static final int LOOK_BACK = 200;

    private LastOutput() {}

    static List<String> of(ProcessLog log) {
        List<LogLine> recent = log.ring().last(LOOK_BACK);
        List<String> stderr = last(recent, LogLine.Source.STDERR);
        return stderr.isEmpty() ? last(recent, LogLine.Source.STDOUT) : stderr;
    }

    private static List<String> last(List<LogLine> lines, LogLine.Source source) {
        List<String> found = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0 && found.size() < LINES; i--) {
            if (lines.get(i).source() == source) {
                found.addFirst(lines.get(i).text());
            }
        }
        return found;
    }
}
