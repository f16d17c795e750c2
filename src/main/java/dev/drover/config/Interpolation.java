package dev.drover.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in config values; also used by the engine to
 * fill the per-instance variables the config leaves in place.
 *
 * <p>Rules at load time: {@code $$} is a literal {@code $}; {@code $VAR} without braces is left
 * for the shell; the {@link #INSTANCE_VARIABLES} stay as written, because their values exist only
 * once an instance is started; a default may itself contain {@code ${...}}, up to {@link
 * #MAX_NESTING} levels deep.
 */
public final class Interpolation {

    /** Variables with one value per running instance, filled by {@link #expandInstance}. */
    public static final Set<String> INSTANCE_VARIABLES = Set.of("PORT", "DROVER_PROCESS", "DROVER_REPLICA");

    /** How deep defaults may hold further references: {@code ${A:-${B:-x}}} is 2. */
    static final int MAX_NESTING = 10;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private Interpolation() {}

    /** The expanded text and, when something could not be expanded, why (full sentences). */
    record Result(String text, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Replaces {@code ${NAME}} for names in vars; leaves other text untouched. {@code
     * ${NAME:-default}} with NAME in vars is replaced too (by the default when the value is empty).
     */
    public static String expandInstance(String template, Map<String, String> vars) {
        Matcher reference = REFERENCE.matcher(template);
        return reference.replaceAll(match -> {
            String value = vars.get(match.group(1));
            if (value == null) {
                return Matcher.quoteReplacement(match.group());
            }
            String fallback = match.group(2);
            return Matcher.quoteReplacement(value.isEmpty() && fallback != null ? fallback : value);
        });
    }

    /** Expands a config value; {@code lookup} returns null for a variable that is not set. */
    static Result expand(String text, Function<String, String> lookup) {
        var out = new StringBuilder(text.length());
        var problems = new ArrayList<String>();
        expandInto(text, lookup, out, problems, 0);
        return new Result(out.toString(), List.copyOf(problems));
    }

    /**
     * @param depth how many defaults enclose {@code text}; bounded, so that hostile nesting can
     *     neither overflow the stack nor, by copying each default's text, take quadratic time
     */
    private static void expandInto(
            String text, Function<String, String> lookup, StringBuilder out, List<String> problems, int depth) {
        if (depth > MAX_NESTING) {
            problems.add("variable references nested more than " + MAX_NESTING + " levels deep in defaults"
                    + " (${A:-${B:-...}})");
            out.append(text);
            return;
        }
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (c != '$' || (next != '$' && next != '{')) {
                out.append(c);
                i++;
            } else if (next == '$') {
                out.append('$');
                i += 2;
            } else {
                int close = closingBrace(text, i + 2);
                if (close < 0) {
                    problems.add("unclosed `${` in \"" + text + "\" (write $$ for a literal $)");
                    out.append(text, i, text.length());
                    return;
                }
                expandReference(text.substring(i + 2, close), lookup, out, problems, depth);
                i = close + 1;
            }
        }
    }

    private static void expandReference(
            String body, Function<String, String> lookup, StringBuilder out, List<String> problems, int depth) {
        int separator = body.indexOf(":-");
        String name = separator < 0 ? body : body.substring(0, separator);
        String fallback = separator < 0 ? null : body.substring(separator + 2);
        if (!NAME.matcher(name).matches()) {
            problems.add("bad variable reference `${" + body + "}`: expected ${NAME} or ${NAME:-default}");
            out.append("${").append(body).append('}');
            return;
        }
        if (INSTANCE_VARIABLES.contains(name)) {
            out.append("${").append(name);
            if (fallback != null) {
                out.append(":-");
                expandInto(fallback, lookup, out, problems, depth + 1);
            }
            out.append('}');
            return;
        }
        String value = lookup.apply(name);
        if (value != null && !(fallback != null && value.isEmpty())) {
            out.append(value);
        } else if (fallback != null) {
            expandInto(fallback, lookup, out, problems, depth + 1);
        } else {
            problems.add("variable " + name + " is not set (use ${" + name + ":-default} to give a default)");
        }
    }

    /** Index of the brace closing a reference whose body starts at {@code from}; nested refs count. */
    private static int closingBrace(String text, int from) {
        int depth = 1;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
