package dev.drover.interop;

import dev.drover.config.ConfigError;
import dev.drover.config.ConfigException;
import dev.drover.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code drover import} as a pipeline: read the source → build a draft in its format's importer →
 * check the draft with drover's own loader, turning each key the loader rejects into a note that
 * says why → the YAML text. Nothing is written here; the command decides where it goes.
 */
public final class Importing {
    /** Sources bigger than this are not configuration files. */
    static final long MAX_SOURCE_BYTES = 4L << 20;

    private static final Pattern PROCESS_KEY = Pattern.compile("processes\\.([A-Za-z0-9_-]+)\\.([a-z_]+)(?:[.\\[].*)?");
    private static final Pattern ROUTE_KEY = Pattern.compile("routes\\[(\\d+)](?:\\..*)?");

    private Importing() {}

    /**
     * @param format null: guessed from the file's name and content
     * @param output where the result will be written (relative paths in it are made against its
     *     directory, and the check reads env files from there)
     */
    public static ImportResult run(Path source, SourceFormat format, Path output, ImportOptions options)
            throws InteropException {
        Path file = source.toAbsolutePath().normalize();
        String content = read(file);
        SourceFormat chosen = format != null
                ? format
                : SourceFormat.guess(file, content)
                        .orElseThrow(() -> new InteropException("cannot tell what format " + source
                                + " is in; name it with --from " + SourceFormat.names()));
        Path out = output.toAbsolutePath().normalize();
        Draft draft = new Draft(out.getParent());
        Importer.of(chosen).read(file, content, options, draft);
        if (draft.processes().isEmpty()) {
            throw new InteropException(source + " defines no process drover could run (as " + chosen.cliName() + ")"
                    + notMappedSummary(draft));
        }
        List<String> warnings = settle(draft, out, options.environment());
        String header = "# Imported from " + file.getFileName() + " (" + chosen.cliName()
                + ") by `drover import`; its report lists what each key became.\n";
        return new ImportResult(chosen, header + DroverYaml.write(draft.root()), draft.notes(), warnings);
    }

    static String read(Path file) throws InteropException {
        try {
            if (Files.isDirectory(file)) {
                throw new InteropException(file + " is a directory; name the file to import");
            }
            if (Files.size(file) > MAX_SOURCE_BYTES) {
                throw new InteropException(file + " is larger than 4 MiB; that is not a configuration file");
            }
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new InteropException(file + " does not exist");
        } catch (CharacterCodingException e) {
            throw new InteropException(file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new InteropException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String notMappedSummary(Draft draft) {
        StringBuilder text = new StringBuilder();
        for (ImportNote note : draft.notes()) {
            if (!note.isMapped()) {
                text.append("\n  ").append(note.render());
            }
        }
        return text.toString();
    }

    /**
     * Loads the draft as drover would. A key drover rejects (one it does not have, a value it
     * does not accept) is taken out and its note says what drover said; what cannot be taken out
     * (the command, a dependency cycle) fails the import. Unset variables are left for the user,
     * with a warning: the source read them from its environment too.
     */
    private static List<String> settle(Draft draft, Path output, Map<String, String> environment)
            throws InteropException {
        for (int round = 0; round < 20; round++) {
            String yaml = DroverYaml.write(draft.root());
            List<ConfigError> errors;
            try {
                ConfigLoader.parse(yaml, output, environment);
                return List.of();
            } catch (ConfigException e) {
                errors = e.errors();
            }
            List<String> unset = new ArrayList<>();
            List<String> fatal = new ArrayList<>();
            TreeSet<Integer> routes = new TreeSet<>();
            boolean changed = false;
            for (ConfigError error : errors) {
                if (error.message().matches("variable \\S+ is not set.*")) {
                    unset.add(error.key() + ": " + error.message()
                            + "; set it before `drover up` (the source read it from its environment too)");
                    continue;
                }
                Matcher process = PROCESS_KEY.matcher(error.key());
                Matcher route = ROUTE_KEY.matcher(error.key());
                if (process.matches() && !process.group(2).equals("command")) {
                    changed |= remove(draft, process.group(1), process.group(2), error.message());
                } else if (route.matches()) {
                    routes.add(Integer.parseInt(route.group(1)));
                    reject(draft, "routes[" + route.group(1) + "]", error.message());
                } else {
                    fatal.add((error.key().isEmpty() ? "" : error.key() + ": ") + error.message());
                }
            }
            if (!fatal.isEmpty()) {
                throw new InteropException("the imported configuration is not valid, and no key can be left out to"
                        + " fix it:\n  " + String.join("\n  ", fatal) + "\nthe draft was:\n" + yaml);
            }
            if (!routes.isEmpty()) {
                List<?> list = (List<?>) draft.root().get("routes");
                for (int index : routes.descendingSet()) {
                    list.remove(index);
                }
                if (list.isEmpty()) {
                    draft.root().remove("routes");
                    draft.root().remove("proxy");
                }
                changed = true;
            }
            if (!changed) {
                return unset.stream().distinct().toList();
            }
        }
        throw new InteropException("the imported configuration did not settle; please report this file");
    }

    private static boolean remove(Draft draft, String process, String key, String message) {
        Object spec = draft.processes().get(process);
        if (!(spec instanceof Map<?, ?> map) || !map.containsKey(key)) {
            return false;
        }
        map.remove(key);
        reject(draft, "processes." + process + "." + key, message);
        return true;
    }

    /** Turns the notes of a rejected key (and the keys under it) into "not mapped: drover rejected it". */
    private static void reject(Draft draft, String target, String fullMessage) {
        int list = fullMessage.indexOf("; expected one of:");
        String message = list > 0 ? fullMessage.substring(0, list) : fullMessage;
        List<ImportNote> notes = new ArrayList<>();
        boolean found = false;
        for (ImportNote note : draft.notes()) {
            if (note.isMapped()
                    && (note.target().equals(target)
                            || note.target().startsWith(target + ".")
                            || note.target().startsWith(target + "["))) {
                notes.add(ImportNote.unmapped(
                        note.source(), "it would be " + note.target() + ", which drover does not accept: " + message));
                found = true;
            } else {
                notes.add(note);
            }
        }
        if (!found) {
            notes.add(ImportNote.unmapped(target, "drover does not accept it: " + message));
        }
        draft.replaceNotes(notes);
    }
}
