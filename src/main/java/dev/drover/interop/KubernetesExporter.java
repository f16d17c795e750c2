package dev.drover.interop;

import dev.drover.config.Command;
import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProbeSpec;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import dev.drover.config.RouteSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kubernetes manifests built with the fabric8 Kubernetes model (one {@code List} document): a
 * Deployment per long-running process, a Job per one-shot ({@code restart: no}), a ConfigMap of
 * its environment, a Service per fixed port, an Ingress from the routes, and init containers
 * that wait for dependencies.
 */
final class KubernetesExporter {
    /** The image of the init containers that wait for a dependency's port: it needs sh and nc. */
    static final String WAIT_IMAGE = "busybox:1.36";

    private KubernetesExporter() {}

    static ExportResult export(DroverConfig config, String project, String image) {
        List<String> lost = new ArrayList<>();
        List<HasMetadata> items = new ArrayList<>();
        for (ProcessSpec p : config.processes().values()) {
            items.addAll(objects(config, p, project, image, lost));
        }
        ingress(config, project, lost).ifPresent(items::add);
        String text = "# Exported by `drover export kubernetes`; every container runs " + image + ".\n"
                + DroverYaml.write(new KubernetesListBuilder().withItems(items).build());
        return new ExportResult(List.of(new ExportedFile("kubernetes.yaml", text)), lost);
    }

    /** DNS-1123: lower case, digits and dashes. */
    static String dnsName(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<HasMetadata> objects(
            DroverConfig config, ProcessSpec p, String project, String image, List<String> lost) {
        String name = dnsName(p.name());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", name);
        labels.put("app.kubernetes.io/part-of", project);
        List<HasMetadata> objects = new ArrayList<>();
        ContainerBuilder container = new ContainerBuilder()
                .withName(name)
                .withImage(image)
                .withCommand(argv(p))
                .withWorkingDir(p.cwd().toString());
        lost.add(p.name() + ": cwd — workingDir " + p.cwd() + " is a path inside the image");
        if (!p.env().isEmpty()) {
            objects.add(new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(name + "-env")
                    .withLabels(labels)
                    .endMetadata()
                    .withData(new LinkedHashMap<>(p.env()))
                    .build());
            container.withEnvFrom(new EnvFromSourceBuilder()
                    .withNewConfigMapRef()
                    .withName(name + "-env")
                    .endConfigMapRef()
                    .build());
        }
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("DROVER_PROCESS", p.name(), null));
        Integer port = p.port() instanceof PortSpec.Fixed fixed ? fixed.port() : null;
        if (port != null) {
            env.add(new EnvVar("PORT", Integer.toString(port), null));
            container.addNewPort().withName("http").withContainerPort(port).endPort();
            objects.add(new ServiceBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(labels)
                    .endMetadata()
                    .withNewSpec()
                    .withSelector(Map.of("app.kubernetes.io/name", name))
                    .addNewPort()
                    .withName("http")
                    .withPort(port)
                    .withTargetPort(new IntOrString(port))
                    .endPort()
                    .endSpec()
                    .build());
        } else if (p.port() instanceof PortSpec.Auto) {
            lost.add(p.name() + ": port: auto — a container's port must be known; set a number for a Service");
        }
        container.withEnv(env);
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (p.limits().memoryBytes() != null) {
            limits.put("memory", new Quantity(Long.toString(p.limits().memoryBytes())));
        }
        if (p.limits().cpuPercent() != null) {
            limits.put("cpu", new Quantity(Math.round(p.limits().cpuPercent() * 10) + "m"));
            lost.add(p.name() + ": limits.cpu — Kubernetes throttles; drover restarted the process");
        }
        if (!limits.isEmpty()) {
            container.withNewResources().withLimits(limits).endResources();
        }
        if (p.readiness() != null) {
            probe(p, p.readiness(), true, lost).ifPresent(container::withReadinessProbe);
        }
        if (p.liveness() != null) {
            probe(p, p.liveness(), false, lost).ifPresent(container::withLivenessProbe);
        }
        if (!p.stopSignal().name().equals("TERM")) {
            lost.add(p.name() + ": stop_signal " + p.stopSignal().name() + " — Kubernetes sends SIGTERM (or the"
                    + " image's STOPSIGNAL)");
        }
        PodSpecBuilder pod = new PodSpecBuilder()
                .withContainers(container.build())
                .withInitContainers(waits(config, p, lost))
                .withTerminationGracePeriodSeconds(Math.max(1, p.stopTimeout().toSeconds()));
        if (p.restart() == RestartPolicy.NO) {
            PodSpec spec = pod.withRestartPolicy("Never").build();
            objects.add(new JobBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(labels)
                    .endMetadata()
                    .withNewSpec()
                    .withBackoffLimit(0)
                    .withSuspend(!p.enabled())
                    .withParallelism(p.replicas())
                    .withCompletions(p.replicas())
                    .withNewTemplate()
                    .withNewMetadata()
                    .withLabels(labels)
                    .endMetadata()
                    .withSpec(spec)
                    .endTemplate()
                    .endSpec()
                    .build());
        } else {
            if (p.restart() == RestartPolicy.ON_FAILURE) {
                lost.add(p.name() + ": restart: on-failure — a Deployment restarts its pods always");
            }
            objects.add(new DeploymentBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(labels)
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(p.enabled() ? p.replicas() : 0)
                    .withNewSelector()
                    .withMatchLabels(Map.of("app.kubernetes.io/name", name))
                    .endSelector()
                    .withNewTemplate()
                    .withNewMetadata()
                    .withLabels(labels)
                    .endMetadata()
                    .withSpec(pod.withRestartPolicy("Always").build())
                    .endTemplate()
                    .endSpec()
                    .build());
            lost.add(p.name() + ": max_restarts, restart_window, backoff — the kubelet's own crash-loop backoff"
                    + " (10s doubling to 5m) applies");
        }
        if (!p.enabled()) {
            lost.add(p.name() + ": enabled: false — "
                    + (p.restart() == RestartPolicy.NO ? "the Job is suspended" : "replicas: 0"));
        }
        lost.add(p.name() + ": log, min_uptime — kubectl logs; no minimum uptime");
        return objects;
    }

    /** One init container per dependency with a fixed port: it waits until the port answers. */
    private static List<Container> waits(DroverConfig config, ProcessSpec p, List<String> lost) {
        List<Container> waits = new ArrayList<>();
        for (Dependency d : p.dependsOn()) {
            ProcessSpec on = config.processes().get(d.process());
            if (on.port() instanceof PortSpec.Fixed fixed && d.condition() != Dependency.Condition.COMPLETED) {
                String service = dnsName(on.name());
                waits.add(new ContainerBuilder()
                        .withName("wait-for-" + service)
                        .withImage(WAIT_IMAGE)
                        .withCommand(
                                "sh",
                                "-c",
                                "until nc -z " + service + " " + fixed.port() + "; do echo waiting for " + service
                                        + "; sleep 2; done")
                        .build());
                if (d.condition() == Dependency.Condition.HEALTHY) {
                    lost.add(p.name() + ": depends_on " + on.name() + " healthy — waits for its Service's port,"
                            + " which answers only from ready pods");
                }
            } else {
                lost.add(p.name() + ": depends_on " + on.name() + " "
                        + d.condition().yamlName()
                        + " — nothing to wait on from inside a pod ("
                        + (d.condition() == Dependency.Condition.COMPLETED ? "a Job's completion" : "no fixed port")
                        + "); the pods start together");
            }
        }
        return waits;
    }

    private static java.util.Optional<Probe> probe(
            ProcessSpec p, ProbeSpec spec, boolean readiness, List<String> lost) {
        ProbeBuilder probe = new ProbeBuilder()
                .withPeriodSeconds(seconds(spec.interval()))
                .withTimeoutSeconds(seconds(spec.timeout()))
                .withInitialDelaySeconds((int) spec.initialDelay().toSeconds())
                .withFailureThreshold(spec.failureThreshold())
                .withSuccessThreshold(readiness ? spec.successThreshold() : 1);
        String kind = readiness ? "readiness" : "liveness";
        switch (spec.check()) {
            case ProbeCheck.Exec exec ->
                probe.withNewExec().withCommand(argv(p, exec.command())).endExec();
            case ProbeCheck.Http http -> {
                try {
                    URI uri = new URI(fill(p, http.url()));
                    int port =
                            uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
                    probe.withNewHttpGet()
                            .withPath(
                                    uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                            .withPort(new IntOrString(port))
                            .withScheme(uri.getScheme().toUpperCase(Locale.ROOT))
                            .endHttpGet();
                } catch (URISyntaxException | NullPointerException e) {
                    lost.add(p.name() + ": " + kind + " " + http.url() + " — not a URL once filled in");
                    return java.util.Optional.empty();
                }
            }
            case ProbeCheck.Tcp tcp -> {
                String address = fill(p, tcp.address());
                String portText = address.substring(address.lastIndexOf(':') + 1);
                if (!portText.matches("\\d+")) {
                    lost.add(p.name() + ": " + kind + " tcp " + tcp.address() + " — no port number");
                    return java.util.Optional.empty();
                }
                probe.withNewTcpSocket()
                        .withPort(new IntOrString(Integer.parseInt(portText)))
                        .endTcpSocket();
            }
        }
        if (spec.interval().toMillis() % 1000 != 0 || spec.timeout().toMillis() % 1000 != 0) {
            lost.add(p.name() + ": " + kind + " — Kubernetes counts probe times in whole seconds");
        }
        return java.util.Optional.of(probe.build());
    }

    private static java.util.Optional<io.fabric8.kubernetes.api.model.networking.v1.Ingress> ingress(
            DroverConfig config, String project, List<String> lost) {
        Map<String, List<RouteSpec>> byHost = new LinkedHashMap<>();
        for (RouteSpec route : config.routes()) {
            ProcessSpec p = route.process() == null ? null : config.processes().get(route.process());
            if (p == null || !(p.port() instanceof PortSpec.Fixed)) {
                lost.add("route " + (route.host() == null ? "*" : route.host()) + route.path() + " — "
                        + (p == null ? "a fixed target is outside the cluster" : "its process has no fixed port"));
                continue;
            }
            if (route.stripPrefix()) {
                lost.add(
                        "route " + route.path() + ": strip_prefix — needs the ingress controller's rewrite annotation");
            }
            byHost.computeIfAbsent(route.host() == null ? "" : route.host(), h -> new ArrayList<>())
                    .add(route);
        }
        if (byHost.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<IngressRule> rules = new ArrayList<>();
        byHost.forEach((host, routes) -> {
            IngressRuleBuilder rule = new IngressRuleBuilder();
            if (!host.isEmpty()) {
                rule.withHost(host);
            }
            var http = rule.withNewHttp();
            for (RouteSpec route : routes) {
                ProcessSpec p = config.processes().get(route.process());
                http.addToPaths(new HTTPIngressPathBuilder()
                        .withPath(route.path())
                        .withPathType("Prefix")
                        .withNewBackend()
                        .withNewService()
                        .withName(dnsName(p.name()))
                        .withNewPort()
                        .withNumber(((PortSpec.Fixed) p.port()).port())
                        .endPort()
                        .endService()
                        .endBackend()
                        .build());
            }
            rules.add(http.endHttp().build());
        });
        if (config.proxy() != null && config.proxy().tls() != null) {
            lost.add("proxy.tls — give the Ingress a TLS secret (or cert-manager) yourself");
        }
        return java.util.Optional.of(new IngressBuilder()
                .withNewMetadata()
                .withName(project)
                .endMetadata()
                .withNewSpec()
                .withRules(rules)
                .endSpec()
                .build());
    }

    private static List<String> argv(ProcessSpec p) {
        return argv(p, p.command());
    }

    private static List<String> argv(ProcessSpec p, Command command) {
        return switch (command) {
            case Command.Exec exec -> exec.argv().stream().map(w -> fill(p, w)).toList();
            case Command.Shell shell -> List.of("/bin/sh", "-c", fill(p, shell.script()));
        };
    }

    /** The instance variables, where a pod knows them: the fixed port, the name, replica 0. */
    private static String fill(ProcessSpec p, String text) {
        String out = text.replace("${DROVER_PROCESS}", p.name());
        if (p.port() instanceof PortSpec.Fixed fixed) {
            out = out.replace("${PORT}", Integer.toString(fixed.port()));
        }
        return p.replicas() == 1 ? out.replace("${DROVER_REPLICA}", "0") : out;
    }

    private static int seconds(Duration duration) {
        return (int) Math.max(1, Math.round(duration.toMillis() / 1000.0));
    }
}
