package dev.drover.api;

import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import dev.drover.control.RouteInfo;
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

    record RouteList(List<RouteInfo> routes) {}

    /** {@code {"status": "ready"}} and the like. */
    record Status(String status) {}

    /** {@code GET /health}: the verdict, with counts and every process nested under "processes". */
    record Health(String status, Counts processes) {
        record Counts(int total, int running, int ready, List<ProcessInfo> details) {}

        static Health of(HealthReport report) {
            return new Health(
                    report.status(), new Counts(report.total(), report.running(), report.ready(), report.details()));
        }
    }

    /** {@code GET /health/detailed}: {@code /health} plus Drover's own figures under "drover". */
    record DetailedHealth(String status, Health.Counts processes, Self drover) {
        static DetailedHealth of(HealthReport report, Self self) {
            Health health = Health.of(report);
            return new DetailedHealth(health.status(), health.processes(), self);
        }
    }

    /** Drover itself: what a monitor wants to know about the supervisor. */
    record Self(String version, long pid, long startTime, long uptime, boolean ready, Heap heap, Threads threads) {
        record Heap(long used, long committed, long max) {}

        record Threads(int live, int daemon, int peak) {}

        static Self measure(long startedAtMillis, boolean ready) {
            java.lang.management.MemoryUsage heap =
                    java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            String version = Bodies.class.getPackage().getImplementationVersion();
            return new Self(
                    version == null ? "development" : version,
                    ProcessHandle.current().pid(),
                    startedAtMillis,
                    System.currentTimeMillis() - startedAtMillis,
                    ready,
                    new Heap(heap.getUsed(), heap.getCommitted(), heap.getMax()),
                    new Threads(
                            threads.getThreadCount(), threads.getDaemonThreadCount(), threads.getPeakThreadCount()));
        }
    }
}
