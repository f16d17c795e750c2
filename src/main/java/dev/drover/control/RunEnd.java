package dev.drover.control;

/**
 * How a process's last run ended, as the API shows it.
 *
 * @param kind success, failure, signal, stopped, killed, liveness, memory_limit, cpu_limit, spawn_failed
 * @param exitCode its exit code when it exited, else null
 * @param signal the signal that killed it (e.g. SIGKILL), else null
 * @param forced whether what was left had to be killed after stop_timeout
 * @param detail the end in words
 */
public record RunEnd(String kind, Integer exitCode, String signal, boolean forced, String detail) {}
