package dev.drover.control;

/**
 * One process instance as the API and `ps` show it. Times are epoch milliseconds; {@code uptime}
 * is milliseconds since start while running, else 0; {@code cpu} (percent of one core) and
 * {@code memory} (resident bytes of its whole tree) are null until measured.
 */
public record ProcessInfo(
        String id,
        String name,
        int replica,
        String state,
        String health,
        int pid,
        long startTime,
        long uptime,
        int restartCount,
        int healthCheckFailures,
        String lastHealthCheck,
        Integer port,
        Double cpu,
        Long memory,
        String reason,
        String waitingFor) {}
