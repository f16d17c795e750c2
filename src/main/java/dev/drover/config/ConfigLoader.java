package dev.drover.config;

import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Position;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads {@code drover.yaml}: parse with positions → merge override files → read env files →
 * interpolate → bind with defaults → validate, collecting every problem before failing.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * A loaded configuration and what {@code drover config} needs besides: which variables came
     * from {@code env_file}s (it masks their values).
     */
    public record Resolved(DroverConfig config, Set<String> fromEnvFiles) {
        public Resolved {
            fromEnvFiles = Set.copyOf(fromEnvFiles);
        }
    }

    /** Loads a config file, interpolating from this process's environment. */
    public static DroverConfig load(Path file) throws ConfigException {
        return load(file, System.getenv());
    }

    public static DroverConfig load(Path file, Map<String, String> environment) throws ConfigException {
        return load(List.of(file), environment);
    }

    /** Loads config files merged in order ({@link YamlMerge}), interpolating from this process's environment. */
    public static DroverConfig load(List<Path> files) throws ConfigException {
        return load(files, System.getenv());
    }

    public static DroverConfig load(List<Path> files, Map<String, String> environment) throws ConfigException {
        return resolve(files, environment).config();
    }

    /**
     * Loads config files merged in order: the first is the config file (relative paths in every
     * file resolve against its directory, as Compose does); each later one is merged onto it, its
     * values winning. Errors name the file each value came from.
     */
    public static Resolved resolve(List<Path> files, Map<String, String> environment) throws ConfigException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no config file");
        }
        Path primary = files.getFirst();
        var errors = new ErrorCollector(primary);
        Mapping root = parseTree(read(primary), errors);
        for (Path override : files.subList(1, files.size())) {
            var own = new ErrorCollector(override);
            Mapping layer = parseTree(read(override), own);
            own.errors().forEach(errors::add);
            root = YamlMerge.merge(root, (Mapping) YamlMerge.located(layer, override));
        }
        List<Path> absolute =
                files.stream().map(f -> f.toAbsolutePath().normalize()).toList();
        return resolve(root, primary, environment, errors, absolute);
    }

    /**
     * Loads config text as if it were {@code fileForMessages}: errors name that file, and relative
     * paths ({@code env_file}, {@code cwd}, {@code log_dir}) resolve against its directory.
     */
    public static DroverConfig parse(String yaml, Path fileForMessages, Map<String, String> environment)
            throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(fileForMessages, "fileForMessages");
        Objects.requireNonNull(environment, "environment");
        var errors = new ErrorCollector(fileForMessages);
        Mapping root = parseTree(yaml, errors);
        return resolve(root, fileForMessages, environment, errors, List.of()).config();
    }

    /** Steps 2 to 5, on the (merged) tree. */
    private static Resolved resolve(
            Mapping root,
            Path fileForMessages,
            Map<String, String> environment,
            ErrorCollector errors,
            List<Path> files)
            throws ConfigException {
        var reader = new NodeReader(errors);
        Path configFile = fileForMessages.toAbsolutePath().normalize();
        Path baseDir = Optional.ofNullable(configFile.getParent()).orElse(configFile);

        Map<String, String> fileEnv = loadEnvFiles(root, fileForMessages, environment, reader);
        Mapping interpolated = interpolate(root, lookup(fileEnv, environment), errors);
        DroverConfig config =
                ConfigBinder.bind(interpolated, configFile, baseDir, overridden(fileEnv, environment), reader);
        ConfigValidator.validate(config, interpolated, errors);
        errors.throwIfAny();
        return new Resolved(config.mergedFrom(files), fileEnv.keySet());
    }

    private static String read(Path file) throws ConfigException {
        try {
            return BoundedText.read(file, BoundedText.MAX_CONFIG_BYTES);
        } catch (BoundedText.TooLarge e) {
            throw new ConfigException(new ConfigError(
                    file,
                    0,
                    0,
                    "",
                    "config file is " + e.getMessage() + "; drover reads at most "
                            + (BoundedText.MAX_CONFIG_BYTES >> 20) + " MiB"));
        } catch (NoSuchFileException e) {
            throw new ConfigException(new ConfigError(file, 0, 0, "", "config file not found"));
        } catch (CharacterCodingException e) {
            throw new ConfigException(new ConfigError(file, 0, 0, "", "config file is not valid UTF-8"));
        } catch (IOException e) {
            throw new ConfigException(new ConfigError(file, 0, 0, "", "cannot read config file: " + e.getMessage()));
        }
    }

    /**
     * Step 1: the located tree. Nothing further can be checked without a top-level map; problems
     * the tree merely contains (duplicate keys) wait to be reported with everything else.
     */
    private static Mapping parseTree(String yaml, ErrorCollector errors) throws ConfigException {
        Optional<YamlNode> tree = YamlTree.parse(yaml, errors);
        if (tree.isPresent() && tree.get() instanceof Mapping root) {
            return root;
        }
        if (tree.isEmpty() && errors.isEmpty()) {
            errors.add(new Position(1, 1), "", "the file is empty; expected a map with `processes`");
        }
        tree.ifPresent(notAMap -> errors.add(
                notAMap.position(), "", "expected a map with `processes` at the top level, got " + notAMap.describe()));
        errors.throwIfAny();
        throw new IllegalStateException("unreachable: no tree and no error");
    }

    /**
     * Step 2: the env files. Their own names may use variables, but only from the environment,
     * since the files are what would define the others.
     */
    private static Map<String, String> loadEnvFiles(
            Mapping root, Path configFile, Map<String, String> environment, NodeReader reader) {
        return root.get("env_file")
                .map(node -> TreeInterpolator.interpolate(node, "env_file", environment::get, reader.errors()))
                .map(node -> EnvFileLoader.load(node, configFile, reader))
                .orElse(Map.of());
    }

    /** Step 3: expand variables in every value but {@code env_file}, which step 2 consumed. */
    private static Mapping interpolate(Mapping root, Map<String, String> variables, ErrorCollector errors) {
        return (Mapping) TreeInterpolator.interpolate(root.without("env_file"::equals), "", variables::get, errors);
    }

    /** The environment wins over env files, as a shell's {@code FOO=x drover up} should. */
    private static Map<String, String> lookup(Map<String, String> fileEnv, Map<String, String> environment) {
        Map<String, String> variables = new HashMap<>(fileEnv);
        variables.putAll(environment);
        return variables;
    }

    /** The env files' variables, each replaced by the environment's value where it has one. */
    private static Map<String, String> overridden(Map<String, String> fileEnv, Map<String, String> environment) {
        Map<String, String> result = new LinkedHashMap<>();
        fileEnv.forEach((key, value) -> result.put(key, environment.getOrDefault(key, value)));
        return result;
    }
}
