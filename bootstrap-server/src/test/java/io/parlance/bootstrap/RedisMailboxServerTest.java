package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.bootstrap.cluster.ClusterOptions;
import java.time.Duration;

/**
 * The mailbox cases of {@link MailboxServerTest} on a server that keeps its mail on a real {@code
 * redis-server} ({@code --redis}): the same refusals, quotas, pages, expiry and restarts.
 */
class RedisMailboxServerTest extends MailboxServerTest {

  private RedisServer redis;

  @Override
  void store(BootstrapServerConfig.Builder builder) {
    try {
      if (redis == null) {
        redis = RedisServer.start();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    builder.cluster(ClusterOptions.defaults(redis.uri(), "mail-test", Duration.ofMinutes(10)));
  }

  @Override
  void afterServer() throws Exception {
    if (redis != null) {
      redis.close();
    }
    // The mail was on Redis: the embedded store was never opened.
    assertThat(dir.resolve("mailbox.db")).doesNotExist();
  }
}
