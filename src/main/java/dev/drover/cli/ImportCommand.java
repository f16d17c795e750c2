package dev.drover.cli;

import dev.drover.interop.ImportNote;
import dev.drover.interop.ImportOptions;
import dev.drover.interop.ImportResult;
import dev.drover.interop.Importing;
import dev.drover.interop.InteropException;
import dev.drover.interop.SourceFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;

/** `drover import FILE`: another supervisor's file as a drover.yaml, with what became of every key. */
final class ImportCommand implements Command {
    @Override
    public String name() {
        return "import";
    }

    @Override
    public String summary() {
        return "write a drover.yaml from a supervisord, Procfile, process-compose, Compose or PM2 file";
    }

    @Override
    public String usage() {
        return """
                Usage: drover import FILE [--from FORMAT] [-o drover.yaml] [--force] [--env NAME]

                Reads FILE and writes a drover.yaml (default ./drover.yaml; -o - prints it), then
                prints what every key of FILE became, and every key it could not map with why.
                FORMAT is one of %s; without --from it is told from the file's name
                and content. The result is checked as `drover validate` would check it: a key drover
                does not accept is left out, and the report says so. An existing output file is
                kept unless --force. --env NAME applies PM2's env_NAME. See docs/import.md.
                """.formatted(SourceFormat.names());
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments =
                Arguments.parse(name(), args, Set.of("--force"), Set.of("--from", "-o", "--output", "--env"));
        if (arguments.names.size() != 1) {
            throw new CliException(ExitCodes.USAGE, "name one file to import; see `drover help import`");
        }
        SourceFormat format = null;
        if (arguments.values.containsKey("--from")) {
            String from = arguments.values.get("--from");
            format = SourceFormat.fromName(from)
                    .orElseThrow(() -> new CliException(
                            ExitCodes.USAGE, "unknown format " + from + "; --from takes " + SourceFormat.names()));
        }
        String outputName =
                arguments.values.getOrDefault("-o", arguments.values.getOrDefault("--output", "drover.yaml"));
        boolean toStdout = outputName.equals("-");
        Path output =
                Path.of(toStdout ? "drover.yaml" : outputName).toAbsolutePath().normalize();
        if (!toStdout && Files.exists(output) && !arguments.flags.contains("--force")) {
            throw new CliException(ExitCodes.FAILED, output + " exists; pass --force to replace it, or -o another");
        }
        ImportResult result;
        try {
            result = Importing.run(
                    Path.of(arguments.names.getFirst()),
                    format,
                    output,
                    new ImportOptions(arguments.values.get("--env"), System.getenv()));
        } catch (InteropException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
        PrintStream report = toStdout ? System.err : System.out;
        if (toStdout) {
            System.out.print(result.yaml());
        } else {
            write(output, result.yaml());
            report.println("wrote " + output + " from " + arguments.names.getFirst() + " ("
                    + result.format().cliName() + ")");
        }
        for (ImportNote note : result.notes()) {
            report.println("  " + note.render());
        }
        report.println(
                result.notes().size() - result.unmapped() + " keys mapped, " + result.unmapped() + " not mapped");
        for (String warning : result.warnings()) {
            report.println("warning: " + warning);
        }
        return ExitCodes.OK;
    }

    /** Through a temporary file and a rename, so a reader never sees half of it. */
    private static void write(Path output, String yaml) throws CliException {
        try {
            Path temp = output.resolveSibling(output.getFileName() + ".new");
            Files.writeString(temp, yaml);
            Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot write " + output + ": " + e.getMessage());
        }
    }
}
