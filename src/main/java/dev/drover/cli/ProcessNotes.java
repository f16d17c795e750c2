package dev.drover.cli;

import dev.drover.control.ProcessInfo;
import java.util.List;

/** Why a process does not run or serve, in a few words, as `ps`, `health` and `up -d` say it. */
final class ProcessNotes {
    /** Failed starts in a row from which a process counts as crash-looping. */
    static final int CRASH_LOOP = 2;

    private ProcessNotes() {}

    /** The note for one process, or "" when there is nothing to say. */
    static String why(ProcessInfo p, long nowMillis) {
        String note = join(join(state(p, nowMillis), notified(p)), p.scaled() == null ? "" : scaled(p.scaled()));
        if (p.role() != null) {
            String role = p.role().equals("surge")
                    ? "surge: the rollout's replacement, beside the old instance"
                    : "old: replaced by the rollout, on its way out";
            return note.isEmpty() ? role : role + "; " + note;
        }
        if (p.heldOutOfRotation()) {
            return note.isEmpty()
                    ? "drained by hand: out of the proxy's rotation (`drover undrain`)"
                    : "drained by hand; " + note;
        }
        return note;
    }

    /** What a notify: true process said of itself: "status: 3 jobs queued; MAINPID 4242", or "". */
    static String notified(ProcessInfo p) {
        if (p.sdNotify() == null) {
            return "";
        }
        String said = p.sdNotify().status() == null || p.sdNotify().status().isBlank()
                ? ""
                : "status: " + p.sdNotify().status().strip();
        if (p.sdNotify().mainPid() != 0 && p.sdNotify().mainPid() != p.pid()) {
            said = join(said, "MAINPID " + p.sdNotify().mainPid());
        }
        return said;
    }

    private static String join(String first, String second) {
        return first.isEmpty() ? second : second.isEmpty() ? first : first + "; " + second;
    }

    /** "scaled to 3 (file: 1) until reload": a count set by `drover scale`, which a reload ends. */
    static String scaled(ProcessInfo.Scaled scaled) {
        return "scaled to " + scaled.replicas() + " (file: " + scaled.fileReplicas() + ") until reload";
    }

    /** "; next run in 4m0s" for a scheduled job, else "". */
    static String nextRun(ProcessInfo p, long nowMillis) {
        return p.schedule() == null || p.schedule().nextRun() == 0
                ? ""
                : "; next run in " + PsCommand.duration(Math.max(0, p.schedule().nextRun() - nowMillis) + 999);
    }

    /** "scheduled @every 30s: last run 12s ago (exit code 0); next run in 18s". */
    private static String schedule(ProcessInfo p, long nowMillis) {
        var s = p.schedule();
        String last = s.lastRun() == 0
                ? "no run yet"
                : "last run " + PsCommand.duration(Math.max(0, nowMillis - s.lastRun())) + " ago ("
                        + (s.lastResult() == null ? "running" : s.lastResult()) + ")";
        return "scheduled " + s.expression() + ": " + last + nextRun(p, nowMillis)
                + (s.queued() ? "; a run is queued" : "");
    }

    private static String state(ProcessInfo p, long nowMillis) {
        if (p.schedule() != null
                && p.waitingFor() == null
                && !p.state().equals("backoff")
                && !p.state().equals("fatal")) {
            return schedule(p, nowMillis);
        }
        if (p.waitingFor() != null) {
            return "waiting for " + p.waitingFor();
        }
        String reason = p.reason() == null ? "" : p.reason();
        return switch (p.state()) {
            case "backoff" -> {
                String next = p.nextStartTime() > 0
                        ? "; next try in " + PsCommand.duration(Math.max(0, p.nextStartTime() - nowMillis) + 999)
                        : "";
                yield p.failedStarts() >= CRASH_LOOP
                        ? "crash loop: " + reason + " (" + p.failedStarts() + " times in a row before it was ready)"
                                + next
                        : reason + next;
            }
            case "running" -> p.health().equals("not_ready") && !reason.isEmpty() ? "not ready: " + reason : "";
            case "draining" -> "draining: its requests in flight may finish, then it stops";
            default -> reason;
        };
    }

    /** Its last lines of output, for a process that should serve and does not; indented for under a row. */
    static List<String> lastLines(ProcessInfo p) {
        return p.lastOutput().stream().map(line -> "    | " + line).toList();
    }
}
