package io.parlance.client.room;

import io.parlance.protocol.room.Member;
import io.parlance.protocol.room.RoomCodec;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomMessage;
import io.parlance.protocol.room.RoomSigner;
import io.parlance.protocol.room.RoomState;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One member on a {@link SimulatedNetwork}: reacts to lines as the node does (offer, ask for a sync
 * when behind, answer syncs, push what it makes to every member).
 */
final class SimulatedMember {

  final String name;
  final RoomSigner signer;
  final SimulatedNetwork net;
  @Nullable Room room;
  final List<String> refusals = new ArrayList<>();

  SimulatedMember(String name, RoomSigner signer, SimulatedNetwork net) {
    this.name = name;
    this.signer = signer;
    this.net = net;
  }

  String id() {
    return signer.id();
  }

  void push(RoomLine line) {
    for (Member m : room.recipients()) {
      net.send(id(), m.id(), line);
    }
  }

  RoomMessage post(String text) throws RoomException {
    RoomMessage m = room.post(text);
    push(new RoomLine.Post(m));
    return m;
  }

  void pushState(RoomState s, List<Member> alsoTo) {
    RoomLine line = new RoomLine.States(List.of(s));
    push(line);
    for (Member m : alsoTo) {
      net.send(id(), m.id(), line);
    }
  }

  void syncWith(String other) {
    if (room != null && room.amMember()) {
      net.send(id(), other, room.syncRequest());
    }
  }

  void receive(SimulatedNetwork.Delivery d) {
    RoomLine line = RoomCodec.read(d.json());
    if (line instanceof RoomLine.Invite invite) {
      if (room == null) {
        try {
          room = Room.join(invite.state(), signer);
          syncWith(d.from());
        } catch (RoomException e) {
          refusals.add(e.getMessage());
        }
      }
      return;
    }
    if (room == null) {
      return;
    }
    if (line instanceof RoomLine.Post p) {
      outcome(d.from(), room.offer(p.message()));
    } else if (line instanceof RoomLine.States s) {
      outcome(d.from(), room.offerStates(s.states()));
    } else if (line instanceof RoomLine.Ballot b) {
      outcome(d.from(), room.offer(b));
    } else if (line instanceof RoomLine.SyncRequest r) {
      room.answer(d.from(), r).ifPresent(a -> net.send(id(), d.from(), a));
    } else if (line instanceof RoomLine.SyncReply r) {
      room.apply(r);
      if (r.more()) {
        syncWith(d.from());
      }
    } else {
      refusals.add("unexpected " + line.getClass().getSimpleName());
    }
  }

  private void outcome(String from, Room.Outcome o) {
    if (o instanceof Room.Outcome.Refused r) {
      refusals.add(r.reason());
      if (r.needsSync()) {
        syncWith(from);
      }
    }
  }

  List<String> orderedIds() {
    return room.log().messages().stream().map(RoomMessage::id).toList();
  }
}
