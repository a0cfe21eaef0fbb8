package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.Map;

/**
 * What one member sends another about a room, as one JSON object with a {@code type}. Each line
 * names its room; {@link RoomCodec} reads and writes them with the bounds of {@link RoomLimits}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RoomLine.Invite.class, name = "room_invite"),
  @JsonSubTypes.Type(value = RoomLine.States.class, name = "room_state"),
  @JsonSubTypes.Type(value = RoomLine.Post.class, name = "room_msg"),
  @JsonSubTypes.Type(value = RoomLine.Propose.class, name = "room_proposal"),
  @JsonSubTypes.Type(value = RoomLine.Ballot.class, name = "room_vote"),
  @JsonSubTypes.Type(value = RoomLine.SyncRequest.class, name = "room_sync"),
  @JsonSubTypes.Type(value = RoomLine.SyncReply.class, name = "room_batch")
})
public sealed interface RoomLine {

  /**
   * Returns the room the line is about.
   *
   * @return the room id
   */
  @JsonIgnore
  String roomId();

  private static <T> T required(String field, T value) {
    if (value == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is missing");
    }
    return value;
  }

  /**
   * An invitation: the room's current state, which lists the invitee.
   *
   * @param state the state
   */
  record Invite(@JsonProperty(value = "state", required = true) RoomState state)
      implements RoomLine {
    /** Checks the fields. */
    public Invite {
      required("state", state);
    }

    @Override
    public String roomId() {
      return state.room();
    }
  }

  /**
   * New versions of a room's state, oldest first.
   *
   * @param states the versions, at most {@link RoomLimits#MAX_STATES_PER_LINE}
   */
  record States(@JsonProperty(value = "states", required = true) java.util.List<RoomState> states)
      implements RoomLine {
    /** Checks the fields. */
    public States {
      states = RoomLimits.list("states", states, RoomLimits.MAX_STATES_PER_LINE);
      if (states.isEmpty()) {
        throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'states' is empty");
      }
      String room = states.get(0).room();
      if (!states.stream().allMatch(s -> s.room().equals(room))) {
        throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "field 'states' mixes rooms");
      }
    }

    @Override
    public String roomId() {
      return states.get(0).room();
    }
  }

  /**
   * A message, from its author or relayed.
   *
   * @param message the message
   */
  record Post(@JsonProperty(value = "message", required = true) RoomMessage message)
      implements RoomLine {
    /** Checks the fields. */
    public Post {
      required("message", message);
    }

    @Override
    public String roomId() {
      return message.room();
    }
  }

  /**
   * A proposal put to the members' vote.
   *
   * @param proposal the proposal
   */
  record Propose(@JsonProperty(value = "proposal", required = true) Proposal proposal)
      implements RoomLine {
    /** Checks the fields. */
    public Propose {
      required("proposal", proposal);
    }

    @Override
    public String roomId() {
      return proposal.room();
    }
  }

  /**
   * A vote, with the proposal it is for (so a member that missed the proposal can count it).
   *
   * @param proposal the proposal
   * @param vote the vote
   */
  record Ballot(
      @JsonProperty(value = "proposal", required = true) Proposal proposal,
      @JsonProperty(value = "vote", required = true) Vote vote)
      implements RoomLine {
    /** Checks the fields. */
    public Ballot {
      required("proposal", proposal);
      required("vote", vote);
      if (!vote.room().equals(proposal.room())) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "the vote and its proposal name different rooms");
      }
    }

    @Override
    public String roomId() {
      return proposal.room();
    }
  }

  /**
   * "Here is what I have; send me what I lack": the sender's state version and, per author, the
   * highest sequence number up to which it holds every message.
   *
   * @param room the room id
   * @param version the sender's state version
   * @param marks per author id, the high-water mark
   */
  @JsonPropertyOrder({"room", "version", "marks"})
  record SyncRequest(
      @JsonProperty(value = "room", required = true) String room,
      @JsonProperty(value = "version", required = true) long version,
      @JsonProperty(value = "marks", required = true) Map<String, Long> marks)
      implements RoomLine {
    /** Checks the fields. */
    public SyncRequest {
      RoomIds.require(room);
      RoomLimits.nonNegative("version", version);
      required("marks", marks);
      if (marks.size() > RoomLimits.MAX_MEMBERS) {
        throw new ProtocolException(
            ProtocolError.LIMIT_EXCEEDED,
            "field 'marks' names more than " + RoomLimits.MAX_MEMBERS + " authors");
      }
      for (Map.Entry<String, Long> e : marks.entrySet()) {
        RoomLimits.token("marks", e.getKey());
        RoomLimits.nonNegative("marks", required("marks", e.getValue()));
      }
      marks = Map.copyOf(marks);
    }

    @Override
    public String roomId() {
      return room;
    }
  }

  /**
   * The answer to a {@link SyncRequest}: state versions and messages the asker lacks, bounded in
   * count and bytes; {@code more} says another request would get more.
   *
   * @param room the room id
   * @param states newer state versions, oldest first
   * @param messages missing messages
   * @param more whether the sender held back some for size
   */
  @JsonPropertyOrder({"room", "states", "messages", "more"})
  record SyncReply(
      @JsonProperty(value = "room", required = true) String room,
      @JsonProperty("states") java.util.List<RoomState> states,
      @JsonProperty("messages") java.util.List<RoomMessage> messages,
      @JsonProperty("more") boolean more)
      implements RoomLine {
    /** Checks the fields. */
    public SyncReply {
      RoomIds.require(room);
      states = RoomLimits.list("states", states, RoomLimits.MAX_STATES_PER_LINE);
      messages = RoomLimits.list("messages", messages, RoomLimits.MAX_MESSAGES_PER_LINE);
      long bytes = 0;
      for (RoomMessage m : messages) {
        bytes += m.text().length();
      }
      if (bytes > RoomLimits.MAX_TEXT_BYTES_PER_LINE) {
        throw new ProtocolException(
            ProtocolError.LIMIT_EXCEEDED,
            "a sync reply carries more than " + RoomLimits.MAX_TEXT_BYTES_PER_LINE + " of text");
      }
      String r = room;
      if (!states.stream().allMatch(s -> s.room().equals(r))
          || !messages.stream().allMatch(m -> m.room().equals(r))) {
        throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "a sync reply mixes rooms");
      }
    }

    @Override
    public String roomId() {
      return room;
    }
  }
}
