package dev.drover.control;

import java.util.List;

/**
 * The verdict of `GET /health`: {@code healthy} when every process that should run is running and
 * ready, else {@code unhealthy}; with counts and each process's details.
 */
public record HealthReport(String status, int total, int running, int ready, List<ProcessInfo> details) {
    public boolean healthy() {
        return status.equals("healthy");
    }
}
