package dev.drover.interop;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Copies a fixture directory of src/test/resources/interop into a test's own directory. */
public final class Fixtures {
    private Fixtures() {}

    public static Path copy(String name, Path into) throws IOException {
        Path from;
        try {
            from = Path.of(Fixtures.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = into.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return into;
    }
}
