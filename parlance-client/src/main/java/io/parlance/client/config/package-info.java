/** Client configuration: parlance.toml, environment variables and their layering. */
package io.parlance.client.config;
