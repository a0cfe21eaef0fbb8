package io.parlance.bootstrap.cluster;

/**
 * The Lua scripts that change the shared registry. Each runs atomically in Redis, so a claim, a
 * release or a sweep and the event it publishes are one step: no two servers can both win a
 * nickname, and no event is published for a change that did not happen.
 *
 * <p>Keys, under the prefix {@code P} (default {@code parlance:}):
 *
 * <ul>
 *   <li>{@code P peer:NICK} hash: {@code owner} (the holding connection), {@code server}, {@code
 *       id} (the key's fingerprint, absent for a plain peer), {@code e} (the entry as JSON); it
 *       expires after the entry TTL unless its server refreshes it.
 *   <li>{@code P peers} set of the nicknames held, for a server that (re)builds its copy.
 *   <li>{@code P server:ID} a server's liveness, expiring {@code liveness} after its heartbeat;
 *       {@code P server:ID:peers} the nicknames it holds; {@code P servers} the server ids.
 *   <li>{@code P hold:NICK} the fingerprint a nickname stays reserved for after its key left.
 *   <li>channel {@code P events}: {@code kind \n previous-entry-json \n entry-json}, kind one of
 *       {@code registered}, {@code replaced}, {@code displaced}, {@code left} (for {@code left} the
 *       entry that ended is the previous one and the last part is empty).
 * </ul>
 *
 * <p>The scripts build key names from the prefix (they are not all passed as {@code KEYS}): fine on
 * one Redis or a primary with replicas (Sentinel), not on a sharded Redis Cluster.
 */
final class Scripts {

  private Scripts() {}

  /**
   * ARGV: prefix, nick, owner, server, id or "", json, entryTtlMs, holdMs. Returns {kind,
   * reservedMs or "", previous json or ""}.
   */
  static final String CLAIM =
      """
      local p, nick, owner, server, id, json = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
      local pk = p .. 'peer:' .. nick
      local hk = p .. 'hold:' .. nick
      local hold = redis.call('GET', hk)
      if hold and hold ~= id then
        return {'reserved', tostring(redis.call('PTTL', hk)), ''}
      end
      local kind = 'registered'
      local prev = ''
      local held = redis.call('HMGET', pk, 'owner', 'server', 'id', 'e')
      if held[1] then
        prev = held[4] or ''
        local hid = held[3]
        local alive = redis.call('EXISTS', p .. 'server:' .. (held[2] or '')) == 1
        if hid and hid == id then
          kind = 'replaced'
        elseif not alive then
          if hid then
            return {'reserved', ARGV[8], ''}
          end
          kind = 'replaced'
        elseif id ~= '' and not hid then
          kind = 'displaced'
        else
          return {'taken', '', ''}
        end
        redis.call('SREM', p .. 'server:' .. (held[2] or '') .. ':peers', nick)
        redis.call('DEL', pk)
      end
      if id ~= '' then
        redis.call('HSET', pk, 'owner', owner, 'server', server, 'id', id, 'e', json)
      else
        redis.call('HSET', pk, 'owner', owner, 'server', server, 'e', json)
      end
      redis.call('PEXPIRE', pk, ARGV[7])
      redis.call('SADD', p .. 'peers', nick)
      redis.call('SADD', p .. 'server:' .. server .. ':peers', nick)
      redis.call('PUBLISH', p .. 'events', kind .. '\\n' .. prev .. '\\n' .. json)
      return {kind, '', prev}
      """;

  /** ARGV: prefix, nick, owner, holdMs. Returns 1 if the entry was removed, else 0. */
  static final String RELEASE =
      """
      local p, nick = ARGV[1], ARGV[2]
      local pk = p .. 'peer:' .. nick
      local held = redis.call('HMGET', pk, 'owner', 'server', 'id', 'e')
      if held[1] ~= ARGV[3] then
        return 0
      end
      redis.call('DEL', pk)
      redis.call('SREM', p .. 'peers', nick)
      redis.call('SREM', p .. 'server:' .. (held[2] or '') .. ':peers', nick)
      if held[3] and tonumber(ARGV[4]) > 0 then
        redis.call('SET', p .. 'hold:' .. nick, held[3], 'PX', ARGV[4])
      end
      redis.call('PUBLISH', p .. 'events', 'left\\n' .. (held[4] or '') .. '\\n')
      return 1
      """;

  /**
   * The heartbeat: marks this server alive, then ends the entries of every server whose liveness
   * expired (a keyed one leaves its nickname reserved). ARGV: prefix, server, livenessMs, holdMs.
   * Returns {1 if this server's key was still there else 0, entries swept}.
   */
  static final String BEAT =
      """
      local p, server = ARGV[1], ARGV[2]
      local existed = redis.call('EXISTS', p .. 'server:' .. server)
      redis.call('SET', p .. 'server:' .. server, '1', 'PX', ARGV[3])
      redis.call('SADD', p .. 'servers', server)
      local swept = 0
      for _, sid in ipairs(redis.call('SMEMBERS', p .. 'servers')) do
        if redis.call('EXISTS', p .. 'server:' .. sid) == 0 then
          local set = p .. 'server:' .. sid .. ':peers'
          for _, nick in ipairs(redis.call('SMEMBERS', set)) do
            local pk = p .. 'peer:' .. nick
            local held = redis.call('HMGET', pk, 'server', 'id', 'e')
            if held[1] == sid then
              redis.call('DEL', pk)
              redis.call('SREM', p .. 'peers', nick)
              if held[2] and tonumber(ARGV[4]) > 0 then
                redis.call('SET', p .. 'hold:' .. nick, held[2], 'PX', ARGV[4])
              end
              redis.call('PUBLISH', p .. 'events', 'left\\n' .. (held[3] or '') .. '\\n')
              swept = swept + 1
            end
          end
          redis.call('DEL', set)
          redis.call('SREM', p .. 'servers', sid)
        end
      end
      return {existed, swept}
      """;

  /**
   * Refreshes this server's entries, and puts back the ones Redis lost (after a restart) unless
   * another registration or another key's hold has the nickname now. ARGV: prefix, server,
   * entryTtlMs, then (nick, owner, id or "", json) for each entry. Returns {entries put back, then
   * the nicknames that another registration holds now}.
   */
  static final String REFRESH =
      """
      local p, server, ttl = ARGV[1], ARGV[2], ARGV[3]
      local out = {0}
      local i = 4
      while i + 3 <= #ARGV do
        local nick, owner, id, json = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
        local pk = p .. 'peer:' .. nick
        local cur = redis.call('HGET', pk, 'owner')
        if cur == owner then
          redis.call('PEXPIRE', pk, ttl)
        elseif not cur then
          local hold = redis.call('GET', p .. 'hold:' .. nick)
          if hold and hold ~= id then
            table.insert(out, nick)
          else
            if id ~= '' then
              redis.call('HSET', pk, 'owner', owner, 'server', server, 'id', id, 'e', json)
            else
              redis.call('HSET', pk, 'owner', owner, 'server', server, 'e', json)
            end
            redis.call('PEXPIRE', pk, ttl)
            redis.call('SADD', p .. 'peers', nick)
            redis.call('SADD', p .. 'server:' .. server .. ':peers', nick)
            redis.call('PUBLISH', p .. 'events', 'registered\\n\\n' .. json)
            out[1] = out[1] + 1
          end
        else
          table.insert(out, nick)
        end
        i = i + 4
      end
      return out
      """;

  /**
   * Reads entries for a server that (re)builds its copy, dropping the nicknames whose entry
   * expired. ARGV: prefix, then nicknames. Returns the entries' JSON ("" where none is left).
   */
  static final String READ =
      """
      local p = ARGV[1]
      local out = {}
      for i = 2, #ARGV do
        local e = redis.call('HGET', p .. 'peer:' .. ARGV[i], 'e')
        if e then
          table.insert(out, e)
        else
          redis.call('SREM', p .. 'peers', ARGV[i])
          table.insert(out, '')
        end
      end
      return out
      """;

  /**
   * Routes a relay offer to the server holding a registration, if it is still held by that owner
   * and its server is alive. ARGV: prefix, nick, owner, message. Returns the subscribers that got
   * it, -1 if the registration changed, -2 if its server is not alive.
   */
  static final String ROUTE =
      """
      local p, nick, owner, msg = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
      local held = redis.call('HMGET', p .. 'peer:' .. nick, 'owner', 'server')
      if held[1] ~= owner or not held[2] then
        return -1
      end
      if redis.call('EXISTS', p .. 'server:' .. held[2]) == 0 then
        return -2
      end
      return redis.call('PUBLISH', p .. 'relay:' .. held[2], msg)
      """;
}
