package dev.drover.api;

import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import java.util.List;

/** The JSON bodies of the API that are not a control record as is. */
final class Bodies {
    private Bodies() {}

    /** Every error answer: {@code {"error": "...", "detail": null | [...]}}. */
    record ErrorBody(String error, List<String> detail) {
        static ErrorBody of(String error, List<String> details) {
            return new ErrorBody(error, details == null || details.isEmpty() ? null : details);
        }
    }

    record ProcessList(List<ProcessInfo> processes) {}

    record LogLines(List<LogEntry> lines) {}

    /** {@code {"status": "ready"}} and the like. */
    record Status(String status) {}

    /** {@code GET /health}: the verdict, with counts and every process nested under "processes". */
    record Health(String status, Counts processes) {
        record Counts(int total, int running, int ready, List<ProcessInfo> details) {}

        static Health of(HealthReport report) {
            return new Health(report.status(), new Counts(report.total(), report.running(), report.ready(), report.details()));
        }
    }
}
