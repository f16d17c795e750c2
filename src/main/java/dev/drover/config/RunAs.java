package dev.drover.config;

import java.util.List;

/**
 * Who a process runs as, when Drover runs as root: {@code user} (its primary group and its
 * supplementary groups unless {@code group} / {@code groups} say otherwise), and the file mode
 * creation mask. Every part may be absent.
 *
 * @param user a user name, or null to run as Drover's own user
 * @param group a group name instead of the user's primary group, or null
 * @param groups supplementary groups instead of the user's, or null to take the user's
 * @param umask the file mode creation mask (0 to 0777), or null to inherit Drover's
 */
public record RunAs(String user, String group, List<String> groups, Integer umask) {
    public static final RunAs NONE = new RunAs(null, null, null, null);

    public RunAs {
        groups = groups == null ? null : List.copyOf(groups);
    }

    /** Whether the process changes user or groups (and so needs root). */
    public boolean switchesIdentity() {
        return user != null || group != null || groups != null;
    }

    /** The umask as the shell writes it: {@code 0027}. */
    public String umaskText() {
        return umask == null ? null : String.format("%04o", umask);
    }
}
