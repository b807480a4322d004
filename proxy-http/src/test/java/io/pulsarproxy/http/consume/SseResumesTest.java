package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SseResumesTest {
  private static final String SUB = "persistent://public/default/t|sub";

  @Test
  void anEventIdConfirmsTheEndedStreamsMessagesUpToIt() {
    SseResumes resumes = new SseResumes(10, 60_000);
    String stream = SseResumes.newStreamId();
    // events 5..8 were written and not confirmed when the stream ended
    resumes.ended(stream, "alice", SUB, 5, List.of("m5", "m6", "m7", "m8"), Set.of(), 0);

    assertThat(resumes.confirmed(SseResumes.eventId(stream, 6), "alice", SUB, 1)).containsExactlyInAnyOrder("m5", "m6");
    assertThat(resumes.confirmed(SseResumes.eventId(stream, 6), "alice", SUB, 1)).containsExactlyInAnyOrder("m5", "m6");
    assertThat(resumes.confirmed(SseResumes.eventId(stream, 7), "alice", SUB, 1))
        .containsExactlyInAnyOrder("m5", "m6", "m7");
  }

  @Test
  void anyIdOfAStreamConfirmsWhatItCarriedFromTheStreamBefore() {
    SseResumes resumes = new SseResumes(10, 60_000);
    String stream = SseResumes.newStreamId();
    resumes.ended(stream, "alice", SUB, 1, List.of("n1", "n2"), Set.of("old1", "old2"), 0);

    assertThat(resumes.confirmed(SseResumes.eventId(stream, 1), "alice", SUB, 1))
        .containsExactlyInAnyOrder("old1", "old2", "n1");
  }

  @Test
  void eventsBeforeTheRunConfirmNothingAndLaterOnesConfirmAll() {
    SseResumes resumes = new SseResumes(10, 60_000);
    String a = SseResumes.newStreamId();
    String b = SseResumes.newStreamId();
    resumes.ended(a, "alice", SUB, 5, List.of("m5", "m6"), Set.of(), 0);
    resumes.ended(b, "alice", SUB, 1, List.of("x1", "x2"), Set.of(), 0);

    assertThat(resumes.confirmed(SseResumes.eventId(a, 4), "alice", SUB, 1)).isEmpty();
    assertThat(resumes.confirmed(SseResumes.eventId(b, 99), "alice", SUB, 1)).containsExactlyInAnyOrder("x1", "x2");
  }

  @Test
  void anotherPrincipalSubscriptionOrAMalformedIdConfirmsNothing() {
    SseResumes resumes = new SseResumes(10, 60_000);
    String stream = SseResumes.newStreamId();
    resumes.ended(stream, "alice", SUB, 1, List.of("m1"), Set.of(), 0);

    assertThat(resumes.confirmed(SseResumes.eventId(stream, 1), "mallory", SUB, 1)).isEmpty();
    assertThat(resumes.confirmed(SseResumes.eventId(stream, 1), "alice", SUB + "2", 1)).isEmpty();
    assertThat(resumes.confirmed("CAoQACAAMAA=", "alice", SUB, 1)).isEmpty();
    assertThat(resumes.confirmed(stream + ".0", "alice", SUB, 1)).isEmpty();
    assertThat(resumes.confirmed(stream + ".1" + "0".repeat(30), "alice", SUB, 1)).isEmpty();
    assertThat(resumes.confirmed(SseResumes.eventId(stream, 1), "alice", SUB, 1)).containsExactly("m1");
  }

  @Test
  void aReconnectionNamingAnOpenStreamsEventEndsItConfirmingUpToThatEvent() {
    SseResumes resumes = new SseResumes(10, 60_000);
    String stream = SseResumes.newStreamId();
    List<Long> superseded = new ArrayList<>();
    resumes.started(stream, "alice", SUB, n -> {
      superseded.add(n);
      // as the stream does: it acknowledges events 1..n itself, then ends with the rest unconfirmed
      resumes.ended(stream, "alice", SUB, n + 1, List.of("m" + (n + 1)), Set.of(), 1);
    });

    assertThat(resumes.confirmed(SseResumes.eventId(stream, 3), "mallory", SUB, 1)).isEmpty();
    assertThat(superseded).isEmpty();
    assertThat(resumes.confirmed(SseResumes.eventId(stream, 3), "alice", SUB, 1)).isEmpty();
    assertThat(superseded).containsExactly(3L);
    assertThat(resumes.confirmed(SseResumes.eventId(stream, 4), "alice", SUB, 1)).containsExactly("m4");
    assertThat(superseded).containsExactly(3L);
  }

  @Test
  void endedStreamsAreBoundedInCountAndAge() {
    SseResumes resumes = new SseResumes(2, 1_000);
    String first = SseResumes.newStreamId();
    String second = SseResumes.newStreamId();
    String third = SseResumes.newStreamId();
    resumes.ended(first, "alice", SUB, 1, List.of("a"), Set.of(), 0);
    resumes.ended(second, "alice", SUB, 1, List.of("b"), Set.of(), 500);
    resumes.ended(third, "alice", SUB, 1, List.of("c"), Set.of(), 600);

    assertThat(resumes.size()).isEqualTo(2);
    assertThat(resumes.confirmed(SseResumes.eventId(first, 1), "alice", SUB, 700)).isEmpty();
    assertThat(resumes.confirmed(SseResumes.eventId(second, 1), "alice", SUB, 1_500)).isEmpty();
    assertThat(resumes.confirmed(SseResumes.eventId(third, 1), "alice", SUB, 1_500)).containsExactly("c");
  }
}
