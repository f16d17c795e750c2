package dev.drover.config;

/**
 * Resource ceilings whose sustained breach restarts the process.
 *
 * @param memoryBytes resident memory limit, or null for none
 * @param cpuPercent CPU limit in percent of one core (200 = two cores), or null for none
 */
public record LimitsSpec(Long memoryBytes, Double cpuPercent) {
    /** Whether any limit is set. */
    public boolean any() {
        return memoryBytes != null || cpuPercent != null;
    }
}
