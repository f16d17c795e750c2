package dev.drover.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Procfile as foreman, honcho and overmind read it: {@code name: command} lines run by a
 * shell, in the Procfile's directory, with the {@code .env} beside it, and a {@code $PORT} for
 * every process.
 */
final class ProcfileImporter implements Importer {
    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9_-]+):\\s*(.*)");

    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException {
        Path dir = file.getParent();
        Path dotenv = dir.resolve(".env");
        if (Files.isRegularFile(dotenv)) {
            draft.root().put("env_file", draft.path(dotenv));
            draft.mapped(".env", "env_file", "its variables reach every process, and ${VAR} in drover.yaml");
        }
        var lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(2).isBlank()) {
                throw new InteropException(file + ":" + (i + 1) + ": expected `name: command`, got `" + line + "`");
            }
            String name = m.group(1);
            if (draft.processes().containsKey(name)) {
                throw new InteropException(file + ":" + (i + 1) + ": `" + name + "` is defined twice");
            }
            String source = file.getFileName() + ":" + (i + 1) + " " + name;
            draft.set(
                    name,
                    "command",
                    Units.literal(m.group(2).strip()),
                    source,
                    "a shell runs it when it holds shell syntax, as foreman's does");
            if (!dir.equals(draft.outputDir())) {
                draft.set(name, "cwd", draft.path(dir), source, "the Procfile's directory, where foreman runs it");
            }
            draft.set(
                    name,
                    "port",
                    "auto",
                    source,
                    "every process gets a $PORT, as foreman gives one; drover"
                            + " picks a free port instead of 5000, 5100, …");
            draft.mapped(
                    source,
                    "processes." + name + ".restart",
                    "on-failure, drover's default: foreman, honcho"
                            + " and overmind stop every process when one exits; drover restarts the one that failed");
        }
    }
}
