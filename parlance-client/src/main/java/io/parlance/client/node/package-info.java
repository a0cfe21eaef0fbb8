/** The peer node: the one core object the command line, the JSON mode and the tests all drive. */
package io.parlance.client.node;
