/**
 * Reads {@code drover.yaml} into immutable records: parse (with source positions) → interpolate →
 * bind with defaults → validate. Every problem found is collected, located by file, line and
 * column, and reported together in one {@link dev.drover.config.ConfigException}.
 */
package dev.drover.config;
