/** Integration tests that start the docker-compose demo and drive its peers. */
package io.parlance.it;
