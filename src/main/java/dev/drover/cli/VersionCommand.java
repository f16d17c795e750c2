package dev.drover.cli;

import java.util.List;

/** `drover version`. */
final class VersionCommand implements Command {
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "print Drover's version";
    }

    @Override
    public String usage() {
        return "Usage: drover version\n";
    }

    @Override
    public int run(List<String> args) {
        System.out.println("drover " + version() + " (Java " + Runtime.version() + ")");
        return ExitCodes.OK;
    }
}
