/**
 * Other supervisors' files in, other platforms' files out: {@code drover import} reads
 * supervisord, Procfile, process-compose, Compose, PM2 and the proxy-server format into a
 * {@code drover.yaml}, with a note for every source key; {@code drover export} writes a loaded
 * configuration as systemd units, Compose, Kubernetes manifests or a PM2 ecosystem file. Depends on
 * {@code config} only.
 */
package dev.drover.interop;
