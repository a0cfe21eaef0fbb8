package io.parlance.bootstrap.cluster;

/**
 * The Lua scripts of the mailbox on Redis ({@link RedisMailbox}). Each runs atomically, so a
 * per-recipient quota holds however many servers deposit at once, and a message and its indexes are
 * stored, acknowledged or expired as one step.
 *
 * <p>Keys, under the mailbox prefix {@code M} (default {@code parlance:mail:}); ids are canonical
 * fingerprints and message ids visible ASCII, so a space joins them unambiguously:
 *
 * <ul>
 *   <li>{@code M seq}, {@code M nseq}: counters giving messages and notices their positions.
 *   <li>{@code M m:SEQ} hash: {@code to}, {@code from}, {@code msg}, {@code size}, {@code dep} and
 *       {@code exp} (Unix ms); {@code M s:SEQ} the opaque sealed bytes. Nothing else. (The bytes
 *       are a key of their own so that the hash's values stay small enough for Redis's compact
 *       listpack encoding: about 600 bytes less per message.)
 *   <li>{@code M box:TO} sorted set of the recipient's waiting positions; {@code M ids:TO} hash
 *       {@code "FROM MSG"} to its position (one copy per sender and message id); {@code M used:TO}
 *       the recipient's sealed bytes.
 *   <li>{@code M exp} sorted set of positions by expiry, swept by every server (no keyspace
 *       notifications).
 *   <li>{@code M n:SENDER} sorted set of {@code "TO MSG"} in notice order, {@code M nv:SENDER} hash
 *       {@code "TO MSG"} to {@code "delivered SIG"} or {@code "expired"}; {@code M nexp} sorted set
 *       of {@code "SENDER TO MSG"} by expiry.
 *   <li>{@code M keys} hash id to {@code "KEY MAILKEY MAILSIG"}; {@code M stats} hash {@code
 *       messages}, {@code bytes}, {@code notices}.
 * </ul>
 *
 * <p>Every script that changes something ends its answer with the counts {messages, bytes, notices,
 * keys}, so a server's figures stay current without another round trip. Like {@link Scripts}, the
 * key names are built from the prefix: one Redis or a primary with replicas, not a sharded Redis
 * Cluster.
 */
final class MailScripts {

  private MailScripts() {}

  /** Helpers shared by the scripts below. */
  private static final String HELPERS =
      """
      local function counts(p)
        local s = redis.call('HMGET', p .. 'stats', 'messages', 'bytes', 'notices')
        return {tonumber(s[1] or '0'), tonumber(s[2] or '0'), tonumber(s[3] or '0'),
                redis.call('HLEN', p .. 'keys')}
      end
      local function answer(head, p)
        local c = counts(p)
        for i = 1, 4 do head[#head + 1] = c[i] end
        return head
      end
      local function notice(p, sender, to, msg, kind, sig, exp)
        local f = to .. ' ' .. msg
        local v = kind
        if sig and sig ~= '' then v = kind .. ' ' .. sig end
        if redis.call('HSET', p .. 'nv:' .. sender, f, v) == 1 then
          redis.call('ZADD', p .. 'n:' .. sender, redis.call('INCR', p .. 'nseq'), f)
          redis.call('HINCRBY', p .. 'stats', 'notices', 1)
        end
        redis.call('ZADD', p .. 'nexp', exp, sender .. ' ' .. f)
      end
      local function drop(p, seq)
        local mk = p .. 'm:' .. seq
        local h = redis.call('HMGET', mk, 'to', 'from', 'msg', 'size')
        redis.call('ZREM', p .. 'exp', seq)
        if not h[1] then return nil end
        redis.call('DEL', mk, p .. 's:' .. seq)
        redis.call('ZREM', p .. 'box:' .. h[1], seq)
        redis.call('HDEL', p .. 'ids:' .. h[1], h[2] .. ' ' .. h[3])
        if redis.call('DECRBY', p .. 'used:' .. h[1], h[4]) <= 0 then
          redis.call('DEL', p .. 'used:' .. h[1])
        end
        redis.call('HINCRBY', p .. 'stats', 'messages', -1)
        redis.call('HINCRBY', p .. 'stats', 'bytes', -tonumber(h[4]))
        return h
      end
      """;

  /**
   * ARGV: prefix, from, to, msg, sealed, nowMs, expiresMs, maxMessages, maxBytes. Returns {outcome
   * (stored, duplicate, full_count, full_bytes), counts...}.
   */
  static final String DEPOSIT =
      HELPERS
          + """
          local p, from, to, msg, sealed = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
          local f = from .. ' ' .. msg
          if redis.call('HEXISTS', p .. 'ids:' .. to, f) == 1 then
            return answer({'duplicate'}, p)
          end
          if redis.call('ZCARD', p .. 'box:' .. to) >= tonumber(ARGV[8]) then
            return answer({'full_count'}, p)
          end
          local used = tonumber(redis.call('GET', p .. 'used:' .. to) or '0')
          if used + #sealed > tonumber(ARGV[9]) then
            return answer({'full_bytes'}, p)
          end
          local seq = redis.call('INCR', p .. 'seq')
          redis.call('HSET', p .. 'm:' .. seq, 'to', to, 'from', from, 'msg', msg,
                     'size', #sealed, 'dep', ARGV[6], 'exp', ARGV[7])
          redis.call('SET', p .. 's:' .. seq, sealed)
          redis.call('ZADD', p .. 'box:' .. to, seq, seq)
          redis.call('HSET', p .. 'ids:' .. to, f, seq)
          redis.call('INCRBY', p .. 'used:' .. to, #sealed)
          redis.call('ZADD', p .. 'exp', ARGV[7], seq)
          redis.call('HINCRBY', p .. 'stats', 'messages', 1)
          redis.call('HINCRBY', p .. 'stats', 'bytes', #sealed)
          return answer({'stored'}, p)
          """;

  /**
   * ARGV: prefix, recipient, after, maxItems, maxBytes, maxNotices, nowMs. Read only. Returns
   * {next, more (0/1), item count, then per item seq, from, msg, sealed, depositedMs, then per
   * notice "TO MSG", "KIND[ SIG]"}.
   */
  static final String FETCH =
      """
      local p, r = ARGV[1], ARGV[2]
      local maxItems, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
      local maxNotices, now = tonumber(ARGV[6]), tonumber(ARGV[7])
      local out = {}
      local n, total, more, nextSeq = 0, 0, 0, tonumber(ARGV[3])
      local cursor = ARGV[3]
      local done = false
      while not done do
        local seqs = redis.call('ZRANGEBYSCORE', p .. 'box:' .. r, '(' .. cursor, '+inf',
                                'LIMIT', 0, 100)
        for _, seq in ipairs(seqs) do
          cursor = seq
          local h = redis.call('HMGET', p .. 'm:' .. seq, 'from', 'msg', 'size', 'dep', 'exp')
          if h[1] and tonumber(h[5]) > now then
            local size = tonumber(h[3])
            if n == maxItems or (n > 0 and total + size > maxBytes) then
              more = 1
              done = true
              break
            end
            total = total + size
            n = n + 1
            nextSeq = tonumber(seq)
            out[#out + 1] = seq
            out[#out + 1] = h[1]
            out[#out + 1] = h[2]
            out[#out + 1] = redis.call('GET', p .. 's:' .. seq) or ''
            out[#out + 1] = h[4]
          end
        end
        if #seqs < 100 then done = true end
      end
      local result = {nextSeq, more, n}
      for _, v in ipairs(out) do result[#result + 1] = v end
      if maxNotices > 0 then
        local fs = redis.call('ZRANGE', p .. 'n:' .. r, 0, maxNotices - 1)
        for _, f in ipairs(fs) do
          local v = redis.call('HGET', p .. 'nv:' .. r, f)
          if v then
            result[#result + 1] = f
            result[#result + 1] = v
          end
        end
      end
      return result
      """;

  /**
   * ARGV: prefix, recipient, noticeExpiresMs, receipt count, then per receipt from, msg, sig, then
   * per handled notice to, msg. Returns {deleted, counts...}.
   */
  static final String ACK =
      HELPERS
          + """
          local p, r, exp = ARGV[1], ARGV[2], ARGV[3]
          local deleted = 0
          local i = 5
          for _ = 1, tonumber(ARGV[4]) do
            local from, msg, sig = ARGV[i], ARGV[i + 1], ARGV[i + 2]
            i = i + 3
            local seq = redis.call('HGET', p .. 'ids:' .. r, from .. ' ' .. msg)
            if seq and drop(p, seq) then
              deleted = deleted + 1
              notice(p, from, r, msg, 'delivered', sig, exp)
            end
          end
          while i + 1 <= #ARGV do
            local f = ARGV[i] .. ' ' .. ARGV[i + 1]
            i = i + 2
            if redis.call('HDEL', p .. 'nv:' .. r, f) == 1 then
              redis.call('ZREM', p .. 'n:' .. r, f)
              redis.call('ZREM', p .. 'nexp', r .. ' ' .. f)
              redis.call('HINCRBY', p .. 'stats', 'notices', -1)
              deleted = deleted + 1
            end
          end
          return answer({deleted}, p)
          """;

  /**
   * ARGV: prefix, nowMs, noticeExpiresMs, limit. Deletes up to {@code limit} expired messages
   * (keeping an {@code expired} notice for each sender) and up to {@code limit} expired notices.
   * Returns {messages expired, messages looked at, notices looked at, counts...}; the caller calls
   * again while a limit was reached.
   */
  static final String SWEEP =
      HELPERS
          + """
          local p, now, exp, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
          local expired = 0
          local seqs = redis.call('ZRANGEBYSCORE', p .. 'exp', '-inf', now, 'LIMIT', 0, limit)
          for _, seq in ipairs(seqs) do
            local h = drop(p, seq)
            if h then
              expired = expired + 1
              notice(p, h[2], h[1], h[3], 'expired', nil, exp)
            end
          end
          local old = redis.call('ZRANGEBYSCORE', p .. 'nexp', '-inf', now, 'LIMIT', 0, limit)
          for _, e in ipairs(old) do
            local sp = string.find(e, ' ', 1, true)
            if sp then
              local sender, f = string.sub(e, 1, sp - 1), string.sub(e, sp + 1)
              if redis.call('HDEL', p .. 'nv:' .. sender, f) == 1 then
                redis.call('ZREM', p .. 'n:' .. sender, f)
                redis.call('HINCRBY', p .. 'stats', 'notices', -1)
              end
            end
            redis.call('ZREM', p .. 'nexp', e)
          end
          return answer({expired, #seqs, #old}, p)
          """;

  /** ARGV: prefix, id, "KEY MAILKEY MAILSIG". Returns the counts. */
  static final String PUBLISH_KEY =
      HELPERS
          + """
          redis.call('HSET', ARGV[1] .. 'keys', ARGV[2], ARGV[3])
          return answer({}, ARGV[1])
          """;

  /** ARGV: prefix. Returns the counts. */
  static final String COUNTS =
      HELPERS
          + """
          return answer({}, ARGV[1])
          """;
}
