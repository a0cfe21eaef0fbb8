package io.parlance.client.profile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * The exclusive lock on a profile, held while one peer runs on it; {@link #close()} releases it.
 * The lock file stays (deleting it would race with the next peer taking it).
 */
public final class ProfileLock implements AutoCloseable {

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  ProfileLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Returns the lock file.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * Tells whether the lock is still held.
   *
   * @return true until closed
   */
  public boolean isHeld() {
    return lock.isValid();
  }

  /** Releases the lock. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
