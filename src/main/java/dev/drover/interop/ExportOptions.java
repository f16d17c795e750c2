package dev.drover.interop;

/**
 * @param project the prefix of unit and service names (default: the config file's directory)
 * @param image the container image, for targets that need one; null when not given
 */
public record ExportOptions(String project, String image) {}
