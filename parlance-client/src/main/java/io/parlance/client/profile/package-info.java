/** Profiles: one data directory per identity, locked by the one peer that uses it. */
package io.parlance.client.profile;
