package dev.drover.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded and validated {@code drover.yaml}.
 *
 * @param file the config file, absolute
 * @param baseDir the directory relative paths in the file are resolved against
 * @param env variables for every process: those from the {@code env_file}s (each overridden by
 *     the environment drover runs in, as during interpolation), then the {@code env} map
 * @param logDir absolute directory for log files
 * @param processes by name, in file order; disabled processes included
 * @param proxy null when no reverse proxy is configured
 * @param api null when the {@code api} section is absent
 * @param files every file the configuration was merged from, in order ({@code file} first, then the
 *     override files); what a reload reads again
 */
public record DroverConfig(
        Path file,
        Path baseDir,
        int version,
        Map<String, String> env,
        Path logDir,
        Map<String, ProcessSpec> processes,
        List<RouteSpec> routes,
        ProxySpec proxy,
        ApiSpec api,
        List<Path> files) {

    /** A configuration read from one file. */
    public DroverConfig(
            Path file,
            Path baseDir,
            int version,
            Map<String, String> env,
            Path logDir,
            Map<String, ProcessSpec> processes,
            List<RouteSpec> routes,
            ProxySpec proxy,
            ApiSpec api) {
        this(file, baseDir, version, env, logDir, processes, routes, proxy, api, List.of(file));
    }

    public DroverConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(baseDir, "baseDir");
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        Objects.requireNonNull(logDir, "logDir");
        processes = Collections.unmodifiableMap(new LinkedHashMap<>(processes));
        routes = List.copyOf(routes);
        files = files == null || files.isEmpty() ? List.of(file) : List.copyOf(files);
    }

    /** The same configuration with other processes (what `drover scale` runs). */
    public DroverConfig withProcesses(Map<String, ProcessSpec> replaced) {
        return new DroverConfig(file, baseDir, version, env, logDir, replaced, routes, proxy, api, files);
    }

    /** The same configuration, read from {@code merged} files. */
    DroverConfig mergedFrom(List<Path> merged) {
        return new DroverConfig(file, baseDir, version, env, logDir, processes, routes, proxy, api, merged);
    }
}
