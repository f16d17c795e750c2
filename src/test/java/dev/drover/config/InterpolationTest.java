package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.YamlNode.Position;
import dev.drover.config.YamlNode.Scalar;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolationTest {

    private static final Map<String, String> VARS = Map.of("HOST", "db.local", "EMPTY", "", "NAME", "api");

    private static Interpolation.Result expand(String text) {
        return Interpolation.expand(text, VARS::get);
    }

    @Test
    void expandsBracedVariables() {
        assertThat(expand("redis://${HOST}:6390/${NAME}").text()).isEqualTo("redis://db.local:6390/api");
    }

    @Test
    void defaultIsUsedWhenTheVariableIsUnsetOrEmpty() {
        assertThat(expand("${MISSING:-fallback}").text()).isEqualTo("fallback");
        assertThat(expand("${EMPTY:-fallback}").text()).isEqualTo("fallback");
        assertThat(expand("${HOST:-fallback}").text()).isEqualTo("db.local");
        assertThat(expand("[${MISSING:-}]").text()).isEqualTo("[]");
    }

    @Test
    void anEmptyVariableWithoutDefaultIsEmpty() {
        assertThat(expand("[${EMPTY}]")).isEqualTo(new Interpolation.Result("[]", List.of()));
    }

    @Test
    void defaultsMayThemselvesReferToVariables() {
        assertThat(expand("${MISSING:-http://${HOST}:${OTHER:-80}}").text()).isEqualTo("http://db.local:80");
    }

    @Test
    void doubleDollarIsALiteralDollarAndBareDollarNamesAreLeftForTheShell() {
        assertThat(expand("cost $$5 and $$${HOST}").text()).isEqualTo("cost $5 and $db.local");
        assertThat(expand("echo $HOME $1 $").text()).isEqualTo("echo $HOME $1 $");
        assertThat(expand("$${HOST}").text()).isEqualTo("${HOST}");
    }

    @Test
    void instanceVariablesAreLeftForTheEngine() {
        assertThat(expand("--port ${PORT} --name ${DROVER_PROCESS}.${DROVER_REPLICA}")
                        .text())
                .isEqualTo("--port ${PORT} --name ${DROVER_PROCESS}.${DROVER_REPLICA}");
        assertThat(expand("${PORT:-${NAME}}").text()).isEqualTo("${PORT:-api}");
    }

    @Test
    void unsetVariableWithoutDefaultIsAProblemNamingIt() {
        Interpolation.Result result = expand("${HOST}/${FOO}");

        assertThat(result.problems())
                .containsExactly("variable FOO is not set (use ${FOO:-default} to give a default)");
    }

    @Test
    void malformedReferencesAreProblems() {
        assertThat(expand("${HOST").problems())
                .containsExactly("unclosed `${` in \"${HOST\" (write $$ for a literal $)");
        assertThat(expand("${9LIVES}").problems())
                .containsExactly("bad variable reference `${9LIVES}`: expected ${NAME} or ${NAME:-default}");
        assertThat(expand("${}").problems()).hasSize(1);
    }

    @Test
    void expandInstanceReplacesOnlyTheGivenVariables() {
        Map<String, String> instance = Map.of("PORT", "41000", "DROVER_REPLICA", "1");

        assertThat(Interpolation.expandInstance(
                        "http://127.0.0.1:${PORT}/r${DROVER_REPLICA} ${OTHER} $PORT $$", instance))
                .isEqualTo("http://127.0.0.1:41000/r1 ${OTHER} $PORT $$");
        assertThat(Interpolation.expandInstance("${PORT:-80} ${DROVER_PROCESS:-x}", instance))
                .isEqualTo("41000 ${DROVER_PROCESS:-x}");
        assertThat(Interpolation.expandInstance("${PORT:-80}", Map.of("PORT", "")))
                .isEqualTo("80");
        assertThat(Interpolation.expandInstance("a$b\\c ${PORT}", Map.of("PORT", "$1\\")))
                .isEqualTo("a$b\\c $1\\");
    }

    @Test
    void treeInterpolationExpandsValuesNotKeysAndKeepsPositions() {
        var errors = new ErrorCollector(TestConfigs.FILE);
        YamlNode root = YamlTree.parse("""
                ${HOST}: ${HOST}
                list: [a, "${NAME}"]
                """, errors).orElseThrow();

        YamlNode result = TreeInterpolator.interpolate(root, "", VARS::get, errors);

        assertThat(result.find("${HOST}")).contains(new Scalar("db.local", YamlNode.Kind.STRING, new Position(1, 10)));
        assertThat(result.find("list", 1).map(n -> ((Scalar) n).text())).contains("api");
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void treeInterpolationReportsAtTheValueAndSilencesFollowUpErrorsThere() {
        var errors = new ErrorCollector(TestConfigs.FILE);
        YamlNode root = YamlTree.parse("port: ${API_PORT}\n", errors).orElseThrow();

        YamlNode result = TreeInterpolator.interpolate(root, "", VARS::get, errors);
        errors.add(new Position(1, 7), "port", "a consequence nobody needs to read");

        assertThat(result.find("port").map(n -> ((Scalar) n).text())).contains("${API_PORT}");
        assertThat(errors.errors())
                .containsExactly(TestConfigs.error(
                        1, 7, "port", "variable API_PORT is not set (use ${API_PORT:-default} to give a default)"));
    }
}
