package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class DotEnvTest {

    @Test
    void readsPairsCommentsExportsAndQuotes() {
        DotEnv.Parsed parsed = DotEnv.parse("""
                # database
                DB_HOST=localhost
                export DB_PORT = 5432

                PASSWORD="s3cret # not a comment"
                GREETING='hello world' # a comment
                COLOUR=#ff0000
                URL=http://x/#frag # trailing comment
                EMPTY=
                DB_HOST=override
                """);

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.values())
                .containsExactly(
                        entry("DB_HOST", "override"),
                        entry("DB_PORT", "5432"),
                        entry("PASSWORD", "s3cret # not a comment"),
                        entry("GREETING", "hello world"),
                        entry("COLOUR", "#ff0000"),
                        entry("URL", "http://x/#frag"),
                        entry("EMPTY", ""));
    }

    @Test
    void reportsBadLinesByNumberAndKeepsTheRest() {
        DotEnv.Parsed parsed = DotEnv.parse("""
                GOOD=1
                no equals sign
                1BAD=2
                QUOTE="unclosed
                AFTER="x" y
                ALSO_GOOD=3
                """);

        assertThat(parsed.values()).containsOnlyKeys("GOOD", "ALSO_GOOD");
        assertThat(parsed.problems())
                .containsExactly(
                        new DotEnv.Problem(2, "", "expected KEY=VALUE, got \"no equals sign\""),
                        new DotEnv.Problem(
                                3,
                                "1BAD",
                                "invalid variable name \"1BAD\": use letters, digits and _, not starting with a digit"),
                        new DotEnv.Problem(4, "QUOTE", "missing closing \" (values cannot span lines)"),
                        new DotEnv.Problem(5, "AFTER", "unexpected text after the closing \": \"y\""));
    }

    @Test
    void ignoresAByteOrderMark() {
        assertThat(DotEnv.parse("\uFEFFA=1\n").values()).containsExactly(entry("A", "1"));
    }
}
