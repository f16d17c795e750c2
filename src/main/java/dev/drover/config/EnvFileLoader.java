package dev.drover.config;

import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the files named by the top-level {@code env_file} key, in order; a later file wins. */
final class EnvFileLoader {

    private EnvFileLoader() {}

    /**
     * @param node the {@code env_file} value, already interpolated (string or list of strings)
     * @param configFile the config file; relative env file paths resolve beside it
     */
    static Map<String, String> load(YamlNode node, Path configFile, NodeReader reader) {
        Map<String, String> values = new LinkedHashMap<>();
        List<YamlNode> names = node instanceof Sequence s ? s.items() : List.of(node);
        for (int i = 0; i < names.size(); i++) {
            String path = node instanceof Sequence ? KeyPaths.index("env_file", i) : "env_file";
            YamlNode name = names.get(i);
            if (name instanceof Scalar s && s.isNull()) {
                continue;
            }
            reader.text(name, path, "a file name or a list of file names")
                    .ifPresent(text -> values.putAll(read(text, name, path, configFile, reader.errors())));
        }
        return values;
    }

    private static Map<String, String> read(
            String name, YamlNode node, String key, Path configFile, ErrorCollector errors) {
        Path file;
        try {
            file = configFile.resolveSibling(name);
        } catch (InvalidPathException e) {
            errors.add(node.position(), key, "invalid path \"" + name + "\": " + e.getReason());
            return Map.of();
        }
        String content;
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                // A FIFO or a terminal would block the load forever, and a device like /dev/zero never ends.
                errors.add(node.position(), key, "env file " + file + " is not a regular file");
                return Map.of();
            }
            content = BoundedText.read(file, BoundedText.MAX_ENV_FILE_BYTES);
        } catch (BoundedText.TooLarge e) {
            errors.add(
                    node.position(),
                    key,
                    "env file " + file + " is " + e.getMessage() + "; drover reads at most "
                            + (BoundedText.MAX_ENV_FILE_BYTES >> 20) + " MiB");
            return Map.of();
        } catch (NoSuchFileException e) {
            errors.add(node.position(), key, "env file " + file + " not found");
            return Map.of();
        } catch (CharacterCodingException e) {
            errors.add(node.position(), key, "env file " + file + " is not valid UTF-8");
            return Map.of();
        } catch (IOException e) {
            errors.add(node.position(), key, "cannot read env file " + file + ": " + e.getMessage());
            return Map.of();
        }
        DotEnv.Parsed parsed = DotEnv.parse(content);
        for (DotEnv.Problem problem : parsed.problems()) {
            errors.add(new ConfigError(file, problem.line(), 1, problem.key(), problem.message()));
        }
        return parsed.values();
    }
}
