package dev.drover.config;

import static org.assertj.core.api.Assertions.fail;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Garbles a valid config at random (with fixed seeds, so failures reproduce) and checks the loader
 * never answers with anything but a config or a {@link ConfigException} holding errors.
 */
class ConfigMutationTest {

    private static final int MUTANTS_PER_SEED = 80;
    private static final String INTERESTING = ":{}[]-&*!|>'\"#%@`$,?~\\\n\t  0123456789abcxyz.<=\u0000\u00e9";
    private static final Map<String, String> ENVIRONMENT = Map.of("DROVER_TOKEN", "0123456789abcdefghij-token");
    private static final String VALID = FullConfigTest.DESIGN_EXAMPLE.replace("env_file: .env", "env_file: []");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89})
    void garbledConfigsEitherLoadOrFailWithLocatedErrors(long seed) throws ConfigException {
        TestConfigs.parse(VALID, ENVIRONMENT); // the starting point itself is valid
        Random random = new Random(seed);
        for (int i = 0; i < MUTANTS_PER_SEED; i++) {
            String mutant = mutate(VALID, random);
            // Plain checks rather than AssertJ inside the loop: thousands of fluent assertions
            // would cost more than the parsing under test.
            try {
                if (TestConfigs.parse(mutant, ENVIRONMENT) == null) {
                    fail("seed " + seed + ", mutant " + i + " returned null for:\n" + mutant);
                }
            } catch (ConfigException e) {
                long lines = mutant.lines().count();
                boolean located = !e.errors().isEmpty()
                        && e.errors().stream()
                                .allMatch(error ->
                                        !error.message().isBlank() && error.line() >= 0 && error.line() <= lines + 2);
                if (!located) {
                    fail("seed " + seed + ", mutant " + i + " gave " + e.errors() + " for:\n" + mutant);
                }
            } catch (Throwable unexpected) {
                fail("seed " + seed + ", mutant " + i + " threw " + unexpected + " for:\n" + mutant, unexpected);
            }
        }
    }

    private static String mutate(String text, Random random) {
        var out = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && !out.isEmpty(); e++) {
            int at = random.nextInt(out.length());
            int length = Math.min(1 + random.nextInt(random.nextBoolean() ? 3 : 40), out.length() - at);
            switch (random.nextInt(4)) {
                case 0 -> out.delete(at, at + length);
                case 1 -> out.insert(at, out.substring(at, at + length));
                case 2 -> out.setCharAt(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                default -> out.insert(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
            }
        }
        return out.toString();
    }
}
