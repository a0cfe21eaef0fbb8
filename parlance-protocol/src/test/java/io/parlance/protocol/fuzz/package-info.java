/** What the fuzz targets of every module check in common. */
package io.parlance.protocol.fuzz;
