package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.YamlNode.Kind;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Position;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class YamlTreeTest {

    private final ErrorCollector errors = new ErrorCollector(TestConfigs.FILE);

    private YamlNode parse(String yaml) {
        Optional<YamlNode> tree = YamlTree.parse(yaml, errors);
        assertThat(tree).isPresent();
        return tree.get();
    }

    @Test
    void keysAndValuesKeepTheirLineAndColumn() {
        YamlNode root = parse("""
                version: 1
                processes:
                  api:
                    command: [redis-server, "--port"]
                """);

        Mapping processes = (Mapping) root.find("processes").orElseThrow();
        assertThat(((Mapping) root).entry("processes").orElseThrow().keyPosition())
                .isEqualTo(new Position(2, 1));
        assertThat(processes.entry("api").orElseThrow().keyPosition()).isEqualTo(new Position(3, 3));
        Mapping api = (Mapping) processes.get("api").orElseThrow();
        assertThat(api.entry("command").orElseThrow().keyPosition()).isEqualTo(new Position(4, 5));
        Sequence command = (Sequence) api.get("command").orElseThrow();
        assertThat(command.position()).isEqualTo(new Position(4, 14));
        assertThat(command.items())
                .containsExactly(
                        new Scalar("redis-server", Kind.STRING, new Position(4, 15)),
                        new Scalar("--port", Kind.STRING, new Position(4, 29)));
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void scalarsKeepTheTextAsWrittenAndTheirYamlType() {
        YamlNode root = parse("""
                octal: 010
                yes: yes
                quoted: "1"
                float: 1.5
                empty:
                """);

        assertThat(root.find("octal")).contains(new Scalar("010", Kind.INTEGER, new Position(1, 8)));
        assertThat(root.find("yes")).contains(new Scalar("yes", Kind.BOOLEAN, new Position(2, 6)));
        assertThat(root.find("quoted")).contains(new Scalar("1", Kind.STRING, new Position(3, 9)));
        assertThat(root.find("float").map(n -> ((Scalar) n).kind())).contains(Kind.FLOAT);
        assertThat(root.find("empty").map(n -> ((Scalar) n).kind())).contains(Kind.NULL);
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondOneAndTheFirstIsKept() {
        YamlNode root = parse("""
                a: 1
                b: 2
                a: 3
                """);

        assertThat(root.find("a").map(n -> ((Scalar) n).text())).contains("1");
        assertThat(errors.errors())
                .containsExactly(TestConfigs.error(3, 1, "a", "duplicate key `a` (first defined at line 1)"));
    }

    @Test
    void malformedYamlIsReportedAtTheParsersPositionWithoutItsSourceExcerpt() {
        assertThat(YamlTree.parse("a: [1, 2\nb: c\n", errors)).isEmpty();

        assertThat(errors.errors())
                .containsExactly(TestConfigs.error(
                        2, 2, "", "invalid YAML: while parsing a flow sequence: expected ',' or ']', but got :"));
    }

    @Test
    void tabIndentationIsReportedWhereTheTabIs() {
        assertThat(YamlTree.parse("a:\n\t- 1\n", errors)).isEmpty();

        ConfigError error = errors.errors().getFirst();
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.column()).isEqualTo(1);
        assertThat(error.message()).contains("TAB");
    }

    @Test
    void emptyTextHasNoDocument() {
        assertThat(YamlTree.parse("# only a comment\n", errors)).isEmpty();
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void secondDocumentIsAnError() {
        parse("a: 1\n---\nb: 2\n");

        assertThat(errors.errors())
                .extracting(ConfigError::message)
                .containsExactly("the file holds more than one YAML document; drover reads exactly one");
    }

    @Test
    void aliasesAndMergeKeysAreResolvedWithExplicitKeysWinning() {
        YamlNode root = parse("""
                x-defaults: &defaults {restart: always, stop_timeout: 5s}
                api:
                  <<: *defaults
                  stop_timeout: 20s
                same: *defaults
                """);

        Mapping api = (Mapping) root.find("api").orElseThrow();
        assertThat(api.entries()).extracting(YamlNode.Entry::key).containsExactly("restart", "stop_timeout");
        assertThat(api.get("stop_timeout").map(n -> ((Scalar) n).text())).contains("20s");
        assertThat(api.get("restart").map(YamlNode::position)).contains(new Position(1, 33));
        assertThat(root.find("same")).isEqualTo(root.find("x-defaults"));
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void aliasToAnUnknownAnchorIsAnError() {
        parse("a: *nowhere\n");

        assertThat(errors.errors())
                .containsExactly(
                        TestConfigs.error(
                                1,
                                4,
                                "a",
                                "alias *nowhere does not name a map or list anchored earlier (anchors on single values are not supported)"));
    }

    @Test
    void aliasesThatExpandExponentiallyAreRejected() {
        var yaml = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("l")
                    .append(i)
                    .append(": &l")
                    .append(i)
                    .append(" [")
                    .append(String.join(
                            ", ",
                            List.of(
                                    "*l" + (i - 1),
                                    "*l" + (i - 1),
                                    "*l" + (i - 1),
                                    "*l" + (i - 1),
                                    "*l" + (i - 1),
                                    "*l" + (i - 1),
                                    "*l" + (i - 1),
                                    "*l" + (i - 1))))
                    .append("]\n");
        }

        assertThat(YamlTree.parse(yaml.toString(), errors)).isEmpty();
        assertThat(errors.errors().getFirst().message()).startsWith("the document expands to more than");
    }

    @Test
    void deepNestingIsRejected() {
        String yaml = "a: " + "[".repeat(200) + "]".repeat(200) + "\n";

        assertThat(YamlTree.parse(yaml, errors)).isEmpty();
        assertThat(errors.errors().getFirst().message()).contains("nested more than");
    }

    @Test
    void parserMessagesLoseTheirEmbeddedLocationLines() {
        String snake = """
                while scanning a quoted scalar
                 in 'reader', line 1, column 4:
                    a: "x
                       ^
                found unexpected end of stream
                 in 'reader', line 2, column 1:
                """;

        assertThat(YamlTree.describeParseError(snake))
                .isEqualTo("while scanning a quoted scalar: found unexpected end of stream");
    }
}
