package dev.drover.config;

import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Kind;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/** Applies {@link Interpolation} to every string value of a tree (never to keys). */
final class TreeInterpolator {

    private TreeInterpolator() {}

    /**
     * Returns a copy of the tree with variables expanded. A value that cannot be expanded is kept
     * as written, its problems are reported at its position, and that position is silenced so the
     * binder does not pile a second, misleading error on top.
     *
     * <p>A node that YAML aliases share is expanded once, where it first appears: a few aliases
     * nested in each other stand for thousands of copies of one value, and expanding each copy
     * anew would let a small file take gigabytes and minutes.
     */
    static YamlNode interpolate(YamlNode node, String path, Function<String, String> lookup, ErrorCollector errors) {
        return interpolate(node, path, lookup, errors, new IdentityHashMap<>());
    }

    private static YamlNode interpolate(
            YamlNode node,
            String path,
            Function<String, String> lookup,
            ErrorCollector errors,
            Map<YamlNode, YamlNode> done) {
        YamlNode known = done.get(node);
        if (known != null) {
            return known;
        }
        YamlNode copy = switch (node) {
            case Scalar s
            when s.kind() == Kind.STRING && s.text().indexOf('$') >= 0 -> {
                Interpolation.Result result = Interpolation.expand(s.text(), lookup);
                if (result.ok()) {
                    yield new Scalar(result.text(), Kind.STRING, s.position());
                }
                result.problems().forEach(problem -> errors.add(s.position(), path, problem));
                errors.silence(s.position());
                yield s;
            }
            case Scalar s -> s;
            case Mapping m ->
                new Mapping(
                        m.entries().stream()
                                .map(e -> new Entry(
                                        e.key(),
                                        e.keyPosition(),
                                        interpolate(e.value(), KeyPaths.child(path, e.key()), lookup, errors, done)))
                                .toList(),
                        m.position());
            case Sequence q -> {
                var items = new ArrayList<YamlNode>(q.items().size());
                for (int i = 0; i < q.items().size(); i++) {
                    items.add(interpolate(q.items().get(i), KeyPaths.index(path, i), lookup, errors, done));
                }
                yield new Sequence(items, q.position());
            }
        };
        done.put(node, copy);
        return copy;
    }
}
