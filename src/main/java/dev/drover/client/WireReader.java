package dev.drover.client;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader with nothing but the JDK, for the bodies the short commands read (`ps`,
 * `health`, `start`, `stop`, `restart`, errors): Jackson's start-up is most of a short command's
 * run. Objects become maps, arrays lists, numbers {@code Long} (or {@code Double} when they have a
 * fraction or an exponent, or do not fit), and the rest {@code String}, {@code Boolean} or null.
 * What follows the first value is ignored, as Jackson does by default.
 */
final class WireReader {
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int at;

    private WireReader(String text) {
        this.text = text;
    }

    static Object parse(byte[] body) throws IOException {
        WireReader reader = new WireReader(new String(body, StandardCharsets.UTF_8));
        reader.skipSpace();
        if (reader.at >= reader.text.length()) {
            throw new IOException("no JSON value");
        }
        return reader.value(0);
    }

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw fail("nested deeper than " + MAX_DEPTH);
        }
        skipSpace();
        char c = peek();
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw fail("unexpected " + c);
            }
        };
    }

    private Map<String, Object> object(int depth) throws IOException {
        at++; // {
        Map<String, Object> fields = new HashMap<>();
        skipSpace();
        if (peek() == '}') {
            at++;
            return fields;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw fail("expected a field name");
            }
            String name = string();
            skipSpace();
            expect(':');
            fields.put(name, value(depth + 1));
            skipSpace();
            char c = next();
            if (c == '}') {
                return fields;
            }
            if (c != ',') {
                throw fail("expected , or }");
            }
        }
    }

    private List<Object> array(int depth) throws IOException {
        at++; // [
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            at++;
            return items;
        }
        while (true) {
            items.add(value(depth + 1));
            skipSpace();
            char c = next();
            if (c == ']') {
                return items;
            }
            if (c != ',') {
                throw fail("expected , or ]");
            }
        }
    }

    private String string() throws IOException {
        at++; // "
        StringBuilder out = null;
        int start = at;
        while (true) {
            char c = next();
            if (c == '"') {
                return out == null ? text.substring(start, at - 1) : out.toString();
            }
            if (c < 0x20) {
                throw fail("a control character in a string");
            }
            if (c != '\\') {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.substring(start, at - 1));
            }
            char escaped = next();
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw fail("a cut \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException e) {
                        throw fail("a bad \\u escape");
                    }
                    at += 4;
                }
                default -> throw fail("a bad escape \\" + escaped);
            }
        }
    }

    private Object number() throws IOException {
        int start = at;
        boolean fraction = false;
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '.' || c == 'e' || c == 'E') {
                fraction = true;
            } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
                break;
            }
            at++;
        }
        String number = text.substring(start, at);
        try {
            if (!fraction && number.length() <= 18) {
                return Long.parseLong(number); // without BigInteger, whose start-up a short command feels
            }
            if (!fraction) {
                BigInteger value = new BigInteger(number);
                return value.bitLength() < 64 ? (Object) value.longValue() : (Object) value.doubleValue();
            }
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw fail("a bad number " + number);
        }
    }

    private Object literal(String word, Object value) throws IOException {
        if (!text.startsWith(word, at)) {
            throw fail("expected " + word);
        }
        at += word.length();
        return value;
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            at++;
        }
    }

    private char peek() throws IOException {
        if (at >= text.length()) {
            throw fail("the body ends early");
        }
        return text.charAt(at);
    }

    private char next() throws IOException {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) throws IOException {
        if (next() != c) {
            throw fail("expected " + c);
        }
    }

    private IOException fail(String what) {
        return new IOException(what + " at offset " + at);
    }

    /** Writes a value this reader made back as compact JSON (for an error's non-text details). */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    // if/else rather than a pattern switch: a type switch's bootstrap spins classes at run time
    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            String comma = "";
            for (Map.Entry<?, ?> field : map.entrySet()) {
                out.append(comma);
                quote(String.valueOf(field.getKey()), out);
                out.append(':');
                write(field.getValue(), out);
                comma = ",";
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }

    /** A JSON string literal of {@code s}. */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
