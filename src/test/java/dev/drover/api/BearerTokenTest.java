package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.BearerToken.Verdict;
import org.junit.jupiter.api.Test;

class BearerTokenTest {
    private final BearerToken token = new BearerToken("correct-horse-battery-staple");

    @Test
    void acceptsOnlyTheExactTokenUnderTheBearerScheme() {
        assertThat(token.check("Bearer correct-horse-battery-staple")).isEqualTo(Verdict.ACCEPTED);
        assertThat(token.check("bearer correct-horse-battery-staple"))
                .as("the scheme is case-insensitive")
                .isEqualTo(Verdict.ACCEPTED);
        assertThat(token.check(null)).isEqualTo(Verdict.MISSING);
        assertThat(token.check("  ")).isEqualTo(Verdict.MISSING);
        assertThat(token.check("Bearer correct-horse-battery-stapla"))
                .as("same length, last character")
                .isEqualTo(Verdict.INVALID);
        assertThat(token.check("Bearer Correct-horse-battery-staple"))
                .as("the token is case-sensitive")
                .isEqualTo(Verdict.INVALID);
        assertThat(token.check("Bearer correct-horse-battery-staple-and-more")).isEqualTo(Verdict.INVALID);
        assertThat(token.check("Bearer ")).isEqualTo(Verdict.INVALID);
        assertThat(token.check("Basic Y29ycmVjdC1ob3JzZQ==")).isEqualTo(Verdict.INVALID);
        assertThat(token.check("correct-horse-battery-staple")).as("no scheme").isEqualTo(Verdict.INVALID);
    }
}
