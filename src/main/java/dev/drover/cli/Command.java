package dev.drover.cli;

import java.util.List;

/** One `drover` subcommand. */
interface Command {
    String name();

    /** One line for `drover help`. */
    String summary();

    /** The full text for `drover help NAME`. */
    String usage();

    int run(List<String> args) throws CliException;
}
