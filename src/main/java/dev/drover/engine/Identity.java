package dev.drover.engine;

import dev.drover.config.Accounts;
import dev.drover.config.RunAs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a command as the configured user with its groups and umask. The user and groups are
 * changed by util-linux {@code setpriv} placed before the command (it execs the command in place,
 * so the PID Drover supervises is the command's); the umask by {@code sh -c 'umask M; exec "$@"'},
 * which passes the command's words on as they are, never parsing them again.
 */
final class Identity {
    static final String SETPRIV = "/usr/bin/setpriv";

    private Identity() {}

    /** The argv that runs {@code argv} as {@code runAs} says (unchanged when it says nothing). */
    static List<String> wrap(List<String> argv, RunAs runAs) {
        List<String> wrapped = new ArrayList<>();
        if (runAs.switchesIdentity()) {
            Accounts.User user = account(runAs);
            int gid = groupOf(runAs, user);
            wrapped.add(SETPRIV);
            wrapped.add("--reuid=" + user.uid());
            wrapped.add("--regid=" + gid);
            if (runAs.groups() == null) {
                wrapped.add("--init-groups");
            } else if (runAs.groups().isEmpty()) {
                wrapped.add("--clear-groups");
            } else {
                wrapped.add("--groups="
                        + String.join(
                                ",",
                                runAs.groups().stream()
                                        .map(g -> Integer.toString(groupId(g)))
                                        .toList()));
            }
            wrapped.add("--");
        }
        if (runAs.umask() != null) {
            wrapped.addAll(List.of("/bin/sh", "-c", "umask " + runAs.umaskText() + " && exec \"$@\"", "sh"));
        }
        wrapped.addAll(argv);
        return List.copyOf(wrapped);
    }

    /** HOME, USER and LOGNAME of the user the process runs as, over what it inherited. */
    static void environment(Map<String, String> env, RunAs runAs) {
        if (runAs.user() == null) {
            return;
        }
        Accounts.User user = account(runAs);
        env.put("HOME", user.home().toString());
        env.put("USER", user.name());
        env.put("LOGNAME", user.name());
    }

    /** The user's uid and primary gid, for files made for it (log and PID files); null when it runs as Drover. */
    static Accounts.User owner(RunAs runAs) {
        return runAs.user() == null ? null : account(runAs);
    }

    /** The group it runs with: {@code group} when set, else the user's primary group. */
    static int groupOf(RunAs runAs, Accounts.User user) {
        return runAs.group() != null ? groupId(runAs.group()) : user.gid();
    }

    private static Accounts.User account(RunAs runAs) {
        return Accounts.user(runAs.user())
                .orElseThrow(() -> new IllegalStateException("no user \"" + runAs.user() + "\" on this system"));
    }

    private static int groupId(String name) {
        return Accounts.groupId(name)
                .orElseThrow(() -> new IllegalStateException("no group \"" + name + "\" on this system"));
    }
}
